import Hummingbird
import Logging
import Metrics
import NIOCore
import StrataCore
import StrataInventory
import StrataTSDB
import StrataWire

/// The Prometheus remote-write 1.0 receiver at `/api/v1/write` and `/prometheus/api/v1/write`.
///
/// Answers as Prometheus 2.42 does (docs/prometheus.md): 204 on success; 400 with a plain-text reason for
/// corrupt snappy or protobuf and for rejected samples (one bad sample rejects the whole request);
/// 405 for other methods. Deviation: a duplicate label name is 400, not 2.42's 500, since a retry cannot help.
struct RemoteWriteRoutes {
    /// Where decoded samples go (shared with the OTLP receiver).
    let intake: PrometheusSampleIntake
    let maxBodyBytes: Int
    let maxDecodedBytes: Int
    /// Shared by every large request (`DecodedBytesBudget`).
    let budget: DecodedBytesBudget
    let logger: Logger
    let samplesReceived = Counter(label: "strata_remote_write_samples_total", dimensions: [("result", "stored")])
    let requestsRejected = Counter(label: "strata_remote_write_requests_rejected_total")

    func register(on group: SecuredGroup, path: String) {
        group.postOnEventLoop(path, .permission(.write)) { request, context in try await write(request, context) }
        // Other methods answer 405 as Prometheus does; they do nothing, so they stay out of the route table.
        for method in [HTTPRequest.Method.get, .put, .delete, .patch] {
            group.group.on(RouterPath(path), method: method) { _, _ in
                Self.plainText(.methodNotAllowed, "Method Not Allowed", extra: [.allow: "OPTIONS, POST"])
            }
        }
    }

    func write(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let body: ByteBuffer
        do {
            body = try await BodyReader.collect(request, limit: maxBodyBytes)
        } catch is BodyTooLarge {
            return reject(.contentTooLarge, "request body larger than \(maxBodyBytes) bytes")
        }
        let compressed = Array(body.readableBytesView)
        // Counted only when it will be decoded: a body declaring more than the limit is refused at once below.
        let declared = Snappy.declaredLength(compressed).flatMap { $0 <= maxDecodedBytes ? $0 : nil } ?? 0
        guard await budget.acquire(declared, wait: .seconds(30)) else {
            return reject(.serviceUnavailable, "too many large write requests at once (\(budget.limit >> 20) MiB decoded at most); retry",
                          extra: [.retryAfter: "5"])
        }
        // Also when the commit throws (a storage failure): a share never given back would hold every later large
        // request to its wait and a 503.
        defer { budget.release(declared) }
        return try await decodeAndCommit(compressed, tenant: tenant)
    }

    /// Decodes the body and commits its samples (their memory is freed when this returns).
    private func decodeAndCommit(_ compressed: [UInt8], tenant: String) async throws -> Response {
        var batch = SampleBatch(capacity: 512)
        var newSeries: [SeriesResolver.Entry] = []
        var metadata: [MetricMetadata] = []
        do {
            let raw = try Snappy.decompress(compressed, limit: maxDecodedBytes)
            try RemoteWriteRequest.decode(raw, tenant: tenant, resolver: intake.resolver, into: &batch, newSeries: &newSeries, metadata: &metadata)
        } catch let error as Snappy.Failure {
            if case .tooLarge = error { return reject(.contentTooLarge, error.description) }
            return reject(.badRequest, error.description)
        } catch let error as RemoteWriteRequest.DecodeError {
            return reject(.badRequest, error.description)
        }
        switch try await intake.commit(tenant: tenant, batch: batch, newSeries: newSeries, metadata: metadata) {
        case .rejected(let rejection):
            return reject(.badRequest, rejection.description)
        case .stored(let stored):
            samplesReceived.increment(by: stored)
        }
        return Response(status: .noContent)
    }

    private func reject(_ status: HTTPResponse.Status, _ message: String, extra: HTTPFields = [:]) -> Response {
        requestsRejected.increment()
        logger.error("remote write rejected", metadata: ["status": "\(status.code)", "reason": "\(message)"])
        return Self.plainText(status, message, extra: extra)
    }

    /// An error as Go's `http.Error` writes it: plain text, message and newline.
    static func plainText(_ status: HTTPResponse.Status, _ message: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"]
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
