import Hummingbird
import StrataAnalysis
import StrataCatalog
import StrataCore
import StrataTSDB
import StrataWire

/// `GET /api/v1/analysis/leaks` (read): every memory-like series of the tenant (heaps, resident memory) judged by
/// `LeakDetector` over the history, each leak attributed to the workload counter of its server's services (or the
/// server's own) that it follows, with its growth and, where the memory has a maximum, when it will reach it.
struct LeakRoute {
    let catalog: any Catalog
    let queries: QueryRoutes

    func register(on group: SecuredGroup) {
        group.get("analysis/leaks", .permission(.read)) { request, context in try await leaks(request, context) }
    }

    func leaks(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryString(request)
        let (from, to) = try parameters.window(defaultSpanMs: 14 * 86_400_000, nowMs: Time.nowMs())
        guard to > from else { throw APIError.badData("the window is empty: to must be after from") }
        let budget = try queries.budget(parameters, context)
        let names = try LabelMatcher(Labels.metricName, .matchesRegex, ".*(" + SignalRoles.memoryWords.joined(separator: "|") + ").*")
        let found: [AnalysisJSON.Leak] = try await queries.answer(tenant: tenant) { reader in
            let ids = Set(try await reader.select([names], fromMs: from, toMs: to, budget: budget).compactMap { $0.labels["resource_id"] })
            let read = AnalysisReader(catalog: catalog, reader: reader, budget: budget)
            var leaks: [AnalysisJSON.Leak] = []
            for id in ids.sorted().prefix(2_000) {
                guard let resource = try await catalog.resource(tenantID: tenant, id: id) else { continue }
                let own = try await read.series(of: resource, tenant: tenant, from: from, to: to)
                for memory in own {
                    guard case .memory(let limit) = memory.role, let finding = try? LeakDetector.assess(memory.points), finding.isLeak else { continue }
                    // The workloads of the same server: its own counters and its services'.
                    var counters: [String: [TimePoint]] = [:], owners: [String: (ResourceRecord, String)] = [:]
                    func take(_ owner: ResourceRecord, _ series: [SignalRoles.SignalSeries]) {
                        for workload in series where workload.role == .workload {
                            let key = owner.id + "\u{1F}" + workload.metric
                            counters[key] = workload.points
                            owners[key] = (owner, workload.metric)
                        }
                    }
                    take(resource, own)
                    for service in try await catalog.resources(tenantID: tenant, query: ResourceQuery(parentID: resource.id, limit: 200)) {
                        take(service, try await read.series(of: service, tenant: tenant, from: from, to: to))
                    }
                    let top = counters.isEmpty ? nil : (try? LeakAttribution.rank(memory: memory.points, counters: counters))?.first
                    let attributed = top.flatMap { $0.correlation >= 0.5 ? $0 : nil }
                    let growing = finding.segments.last { $0.verdict == .growing }
                    let since = memory.points.filter { $0.t >= (growing?.start ?? from) }
                    let forecast = limit.flatMap { try? CapacityForecast.timeToLimit(since, limit: $0) }
                    leaks.append(AnalysisJSON.Leak(resource: resource, metric: memory.metric, slopePerHour: finding.slopePerHour, limit: limit,
                                                   exhaustionMs: forecast?.crossingMs,
                                                   attributedTo: attributed.flatMap { owners[$0.name] }.map { AnalysisJSON.Leak.Attribution(
                                                       resourceId: $0.0.id, resourceName: $0.0.name, metric: $0.1,
                                                       correlation: attributed!.correlation, perThousand: attributed!.perThousand) }))
                }
            }
            return leaks
        }
        let ranked = found.sorted { ($0.exhaustionMs ?? .max, -$0.slopePerHour) < ($1.exhaustionMs ?? .max, -$1.slopePerHour) }
        return try Envelope.success(ranked)
    }
}
