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
    /// Where samples go: one appender and one commit per request.
    let store: any SampleStore
    let registrar: RemoteSeriesRegistrar
    /// Committed samples go on to alerting (only for tenants with threshold definitions).
    let alertFeed: AlertFeed
    /// Committed samples go on to the live sample streams (only for tenants with one open).
    let streams: SampleStreams
    let resolver = SeriesResolver()
    /// Each tenant's newest sample, the reference of its out-of-bounds window.
    let horizons = TenantHorizons()
    /// Samples older than this behind the clock are refused whatever the tenant's window (the raw retention:
    /// they would be expired at once); nil for none.
    let maxAgeMs: Int64?
    let maxBodyBytes: Int
    let maxDecodedBytes: Int
    let logger: Logger
    let samplesReceived = Counter(label: "strata_remote_write_samples_total", dimensions: [("result", "stored")])
    let requestsRejected = Counter(label: "strata_remote_write_requests_rejected_total")

    func register(on group: SecuredGroup, path: String) {
        group.post(path, .permission(.write)) { request, context in try await write(request, context) }
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
        var batch = SampleBatch(capacity: 512)
        var newSeries: [SeriesResolver.Entry] = []
        var metadata: [MetricMetadata] = []
        do {
            let raw = try Snappy.decompress(Array(body.readableBytesView), limit: maxDecodedBytes)
            try RemoteWriteRequest.decode(raw, tenant: tenant, resolver: resolver, into: &batch, newSeries: &newSeries, metadata: &metadata)
        } catch let error as Snappy.CorruptInput {
            return reject(.badRequest, error.description)
        } catch let error as RemoteWriteRequest.DecodeError {
            return reject(.badRequest, error.description)
        }
        registrar.submit(tenant: tenant, metadata: metadata)
        guard !batch.isEmpty else { return Response(status: .noContent) }
        var policy = AppendPolicy.prometheus(newestMs: horizons.newest(tenant))
        policy.maxAgeMs = maxAgeMs
        var appender = store.appender(policy: policy)
        appender.append(batch)
        let result = try await appender.commit()
        let summary = result.summary
        if let rejection = summary.firstRejection {
            return reject(.badRequest, rejection.description)
        }
        if let newest = batch.timestamps.max() { horizons.advance(tenant, to: newest) }
        let now = Time.nowMs()
        if !newSeries.isEmpty {
            // First sight: the inventory learns of these series in the background (see the registrar).
            let series = newSeries.compactMap { entry in batch.labels[entry.id].map { (id: entry.id, labels: $0) } }
            for item in series where UpTracker.isUp(item.labels) { registrar.up.watch(item.id, tenant: tenant, target: ScrapeTarget(labels: item.labels), nowMs: now) }
            registrar.submit(tenant: tenant, series: series)
        }
        registrar.submit(tenant: tenant, readings: registrar.up.observe(batch, nowMs: now))
        resolver.remember(newSeries, refs: result.refs)
        alertFeed.submit(tenantID: tenant, batch: batch, receivedMs: now)
        // A resend whose samples were all stored already adds nothing to the streams.
        if summary.stored > 0 { streams.publish(tenantID: tenant, batch: batch) }
        samplesReceived.increment(by: summary.stored)
        return Response(status: .noContent)
    }

    private func reject(_ status: HTTPResponse.Status, _ message: String) -> Response {
        requestsRejected.increment()
        logger.error("remote write rejected", metadata: ["status": "\(status.code)", "reason": "\(message)"])
        return Self.plainText(status, message)
    }

    /// An error as Go's `http.Error` writes it: plain text, message and newline.
    static func plainText(_ status: HTTPResponse.Status, _ message: String, extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .xContentTypeOptions: "nosniff"]
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
