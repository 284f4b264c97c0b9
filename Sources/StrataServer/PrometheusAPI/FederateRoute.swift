import Hummingbird
import StrataCatalog
import StrataCore
import StrataTSDB
import StrataWire

/// `GET /prometheus/federate?match[]=SELECTOR…`: the latest sample of every series matching any selector, in the
/// text exposition format, so an existing Prometheus can scrape Strata (`metrics_path: /prometheus/federate`,
/// `honor_labels: true`). As Prometheus's `/federate`: a sample counts when it is within the 5 minute lookback and
/// is not a staleness marker; no `match[]` answers nothing. Series carry the cross-layer labels PromQL sees. Scoped to the caller's tenant and gated like every read.
struct FederateRoute {
    let reads: QueryRoutes
    let catalog: any Catalog
    let now: @Sendable () -> Int64
    /// Most series one scrape may take, like the PromQL engine's bound per selector.
    static let maxSeries = 500_000
    /// How far back a sample still counts (Prometheus's lookback delta).
    static let lookbackMs: Int64 = 300_000

    func register(on group: SecuredGroup) {
        group.get("", .permission(.read)) { request, context in try await federate(request, context) }
    }

    func federate(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let matchers = try PrometheusRequest.matchers(parameters.all("match[]"))
        let tenant = try context.requirePrincipal().tenantID
        let budget = try reads.budget(parameters.values, context)
        let toMs = now()
        let fromMs = toMs &- Self.lookbackMs
        let latest = try await reads.answer(tenant: tenant) { tenantReader in
            let reader = CrossLayerQuerier(tenantReader, catalog: catalog)
            var seen = Set<StableID>()
            var samples: [FederationText.Sample] = []
            for selector in matchers {
                let candidates = try await reader.select(selector, fromMs: fromMs, toMs: toMs, budget: budget)
                guard seen.count + candidates.count <= Self.maxSeries else {
                    throw APIError(status: HTTPResponse.Status(code: 422), errorType: "execution",
                                   message: "the match[] selectors take more than \(Self.maxSeries) series; narrow them")
                }
                // Each series' newest sample in the window, markers kept: only it is decoded and held.
                for series in try await reader.selectNewestSamples(selector, fromMs: fromMs &+ 1, toMs: toMs, budget: budget)
                where seen.insert(series.id).inserted {
                    // The last sample decides: a marker means the series has ended.
                    guard let last = series.samples.last, !last.isStaleMarker else { continue }
                    let visible = Labels(series.labels.pairs.filter { Labels.isVisible($0.name) })
                    samples.append(FederationText.Sample(labels: visible, timestampMs: last.timestampMs, value: last.value))
                }
            }
            return samples
        }
        return Response(status: .ok, headers: [.contentType: FederationText.contentType],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: FederationText.text(latest))))
    }
}
