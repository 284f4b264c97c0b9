import Foundation
import Hummingbird
import Logging
import Metrics
import NIOCore
import StrataCore
import StrataTSDB
import StrataWire

/// The OTLP/HTTP metrics receiver at `/v1/metrics` (where an OpenTelemetry SDK or collector pointed at the server
/// sends) and `/prometheus/api/v1/otlp/v1/metrics` (Prometheus's path). docs/otlp.md.
///
/// Answers as the OTLP/HTTP spec says: 200 with an `ExportMetricsServiceResponse` in the request's encoding
/// (with `partial_success` when points were refused by the mapping: delta temporality, no time, malformed
/// buckets); 400 with a `google.rpc.Status` for a body that does not decode or samples the store refuses
/// (all or nothing, as remote write); 413 for bodies over the limit; 415 for other content types or
/// encodings. Authentication, the `write` permission, tenancy and the storage path are remote write's.
struct OTLPRoutes {
    /// Where decoded samples go (shared with remote write).
    let intake: PrometheusSampleIntake
    let hosts: HostDirectory
    let maxBodyBytes: Int
    let maxDecodedBytes: Int
    /// Shared with remote write (`DecodedBytesBudget`): a large export takes its turn once inflated.
    let budget: DecodedBytesBudget
    let logger: Logger
    let samplesReceived = Counter(label: "strata_otlp_samples_total", dimensions: [("result", "stored")])
    let pointsRejected = Counter(label: "strata_otlp_points_rejected_total")
    let requestsRejected = Counter(label: "strata_otlp_requests_rejected_total")

    func register(on group: SecuredGroup, path: String) {
        group.postOnEventLoop(path, .permission(.write)) { request, context in try await export(request, context) }
    }

    func export(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let mediaType = (request.headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingHTTPWhitespace().lowercased() } ?? ""
        let encoding: OTLPResponse.Encoding
        switch mediaType {
        case "application/x-protobuf": encoding = .protobuf
        case "application/json": encoding = .json
        default:
            requestsRejected.increment()
            return RemoteWriteRoutes.plainText(.unsupportedMediaType,
                "unsupported content type \"\(mediaType.prefix(100))\": OTLP/HTTP takes application/x-protobuf or application/json")
        }
        let contentEncoding = (request.headers[.contentEncoding] ?? "identity").trimmingHTTPWhitespace().lowercased()
        guard contentEncoding == "identity" || contentEncoding == "gzip" || contentEncoding.isEmpty else {
            requestsRejected.increment()
            return RemoteWriteRoutes.plainText(.unsupportedMediaType, "unsupported Content-Encoding \"\(contentEncoding.prefix(100))\": use gzip or none")
        }
        var bytes: [UInt8]
        do {
            bytes = Array(try await BodyReader.collect(request, limit: maxBodyBytes).readableBytesView)
        } catch is BodyTooLarge {
            return reject(.contentTooLarge, code: 8, "request body larger than \(maxBodyBytes) bytes", encoding)
        }
        if contentEncoding == "gzip" {
            do {
                bytes = try Zlib.decompress(bytes, limit: maxDecodedBytes, gzip: true)
            } catch .tooLarge {
                return reject(.contentTooLarge, code: 8, "gzip body inflates to more than \(maxDecodedBytes) bytes", encoding)
            } catch {
                return reject(.badRequest, code: 3, "invalid gzip body: \(error.description)", encoding)
            }
        }
        // Decoding, translating and committing cost several times the inflated bytes: large exports take turns.
        let held = bytes.count
        guard await budget.acquire(held, wait: .seconds(30)) else {
            return reject(.serviceUnavailable, code: 14, "too many large write requests at once (\(budget.limit >> 20) MiB decoded at most); retry",
                          encoding, extra: [.retryAfter: "5"])
        }
        defer { budget.release(held) }
        return try await decodeAndCommit(bytes, encoding: encoding, tenant: tenant)
    }

    /// Decodes an export, translates it and commits its samples (their memory is freed when this returns).
    private func decodeAndCommit(_ bytes: [UInt8], encoding: OTLPResponse.Encoding, tenant: String) async throws -> Response {
        let decoded: OTLPMetricsRequest
        do {
            decoded = encoding == .protobuf ? try OTLPProtobuf.decode(bytes) : try OTLPJSON.decode(bytes)
        } catch {
            return reject(.badRequest, code: 3, error.description, encoding)
        }
        let translator = OTLPTranslator(resourceLabels: try await joinLabels(decoded, tenant: tenant))
        let translation = translator.translate(decoded)
        var batch = SampleBatch(capacity: translation.series.count)
        var newSeries: [SeriesResolver.Entry] = []
        do {
            try translation.append(tenant: tenant, resolver: intake.resolver, into: &batch, newSeries: &newSeries)
        } catch {
            return reject(.badRequest, code: 3, error.description, encoding)
        }
        switch try await intake.commit(tenant: tenant, batch: batch, newSeries: newSeries, metadata: translation.metadata) {
        case .rejected(let rejection):
            return reject(.badRequest, code: 3, rejection.description, encoding)
        case .stored(let stored):
            samplesReceived.increment(by: stored)
        }
        if translation.rejectedPoints > 0 {
            pointsRejected.increment(by: translation.rejectedPoints)
            logger.warning("OTLP points refused", metadata: ["tenant": "\(tenant)", "points": "\(translation.rejectedPoints)",
                                                             "reason": "\(translation.errorMessage)"])
        }
        let body = OTLPResponse.export(rejectedPoints: translation.rejectedPoints, message: translation.errorMessage, encoding: encoding)
        return Response(status: .ok, headers: [.contentType: encoding.contentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Most distinct hosts one request may name for the inventory join (each may cost a catalog read); the
    /// resources of further hosts are stored without join labels, so a hostile request cannot stall on lookups.
    static let maxHostsPerRequest = 64

    /// The inventory join labels of each resource that names a host.
    private func joinLabels(_ request: OTLPMetricsRequest, tenant: String) async throws -> [Int: [Label]] {
        var result: [Int: [Label]] = [:]
        var seen: [String: [Label]] = [:]
        let now = Time.nowMs()
        for (index, resource) in request.resources.enumerated() {
            let id = resource.attribute("host.id").map(OTLPTranslator.text)
            let name = resource.attribute("host.name").map(OTLPTranslator.text)
            guard id != nil || name != nil else { continue }
            let key = (id ?? "") + "\u{0}" + (name ?? "")
            if seen[key] == nil {
                guard seen.count < Self.maxHostsPerRequest else { continue }
                seen[key] = try await hosts.labels(tenantID: tenant, hostID: id, hostName: name, nowMs: now)
            }
            if let labels = seen[key], !labels.isEmpty { result[index] = labels }
        }
        return result
    }

    private func reject(_ status: HTTPResponse.Status, code: Int, _ message: String, _ encoding: OTLPResponse.Encoding,
                        extra: HTTPFields = [:]) -> Response {
        requestsRejected.increment()
        logger.error("OTLP export rejected", metadata: ["status": "\(status.code)", "reason": "\(message)"])
        let body = OTLPResponse.status(code: code, message: message, encoding: encoding)
        var headers: HTTPFields = [.contentType: encoding.contentType]
        for field in extra { headers.append(field) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
