import Hummingbird
import StrataAnalysis
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB
import StrataWire

/// The analysis capability over HTTP, tenant-scoped like every read: `GET /api/v1/analysis/root-cause` ranks the
/// causes of a resource's metric misbehaving in a window; `GET /api/v1/analysis/capacity` lists the tenant's
/// capacities (filesystems, memory with a maximum, CPU and other shares of a whole, used cores of a machine's cores)
/// by the time left until they fill.
struct AnalysisRoutes {
    let catalog: any Catalog
    let queries: QueryRoutes

    func register(on group: SecuredGroup) {
        group.get("analysis/root-cause", .permission(.read)) { request, context in try await rootCause(request, context) }
        group.get("analysis/capacity", .permission(.read)) { request, context in try await capacity(request, context) }
    }

    func rootCause(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryString(request)
        let symptom = try await AlertSymptom(catalog: catalog).resolve(tenant: tenant, parameters: parameters, nowMs: Time.nowMs())
        let (id, metric, from, to) = (symptom.resourceID, symptom.metric, symptom.from, symptom.to)
        guard let resource = try await catalog.resource(tenantID: tenant, id: id) else { throw APIError.notFound("no resource \(id) in this tenant") }
        guard to > from else { throw APIError.badData("the window is empty: to must be after from") }
        let length = TimePoint.span(from: from, to: to)
        let historyFrom = Int64(max(-9.2e18, Double(to) - max(14 * 86_400_000, 4 * length)))
        let budget = try queries.budget(parameters, context)
        let members = try await Neighbourhood(catalog: catalog).members(tenant: tenant, around: resource, from: from, to: to)
        let report: RootCauseReport = try await queries.answer(tenant: tenant) { reader in
            let read = AnalysisReader(catalog: catalog, reader: reader, budget: budget)
            var signals: [Signal] = []
            var symptom: Signal?
            for member in members {
                let serverID = member.resource.kind == .server ? member.resource.id
                    : member.resource.kind == .service ? member.resource.parentID : nil
                for series in try await read.series(of: member.resource, tenant: tenant, from: historyFrom, to: to) {
                    let signal = Signal(resourceID: member.resource.id, resourceName: member.resource.name, resourceKind: member.resource.kind.rawValue,
                                        metric: series.metric, role: series.role, relation: member.relation, distance: member.distance,
                                        serverID: serverID, aggregate: member.aggregate,
                                        onPath: member.onPath, points: series.points)
                    if member.distance == 0, symptom == nil, series.metric == metric || series.metric.hasPrefix(metric + "{") || series.metric == "rate(\(metric))" {
                        symptom = signal
                    } else {
                        signals.append(signal)
                    }
                }
            }
            guard let symptom else { throw APIError.notFound("resource \(resource.name) (\(id)) has no series \(metric) between from and to") }
            var changes: [ChangeEvent] = []
            for member in members {
                var query = EventQuery(resourceID: member.resource.id, kind: .configChange, sinceMs: Int64(max(-9.2e18, Double(from) - length)))
                query.untilMs = to
                let events = try await catalog.events(tenantID: tenant, query: query)
                changes += events.map {
                    ChangeEvent(resourceID: member.resource.id, resourceName: member.resource.name, resourceKind: member.resource.kind.rawValue,
                                relation: member.relation, distance: member.distance, time: $0.timeMs, summary: $0.message)
                }
            }
            do {
                return try RootCauseRanker.rank(.init(signal: symptom, from: from, to: to), signals: signals, changes: changes)
            } catch let error as InsufficientData {
                throw APIError(status: .unprocessableContent, errorType: "insufficient_data", message: error.description)
            }
        }
        return try Envelope.success(AnalysisJSON.RootCause(report, resources: members.count))
    }

    func capacity(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryString(request)
        let now = Time.nowMs()
        let (from, to) = try parameters.window(defaultSpanMs: 30 * 86_400_000, nowMs: now)
        let limit = try parameters.limit(default: 100, maximum: 1_000)
        let budget = try queries.budget(parameters, context)
        let names = try LabelMatcher(Labels.metricName, .matchesRegex, "filesystem_(size|avail|free)_bytes|.*(memory|heap).*|.*used.*|.*(max|total|size|limit).*|.*(_ratio|utili[sz]ation).*|cpu_cores")
        // Read within the query budget; fit afterwards (the fits are CPU work that reads nothing).
        let capacities: [(ResourceRecord, SignalRoles.SignalSeries, Double)] = try await queries.answer(tenant: tenant) { reader in
            let ids = Set(try await reader.select([names], fromMs: from, toMs: to, budget: budget).compactMap { $0.labels["resource_id"] })
            let read = AnalysisReader(catalog: catalog, reader: reader, budget: budget, points: 1_000)
            var found: [(ResourceRecord, SignalRoles.SignalSeries, Double)] = []
            for id in ids.sorted().prefix(2_000) {
                guard let resource = try await catalog.resource(tenantID: tenant, id: id) else { continue }
                for series in try await read.series(of: resource, tenant: tenant, from: from, to: to) {
                    if let limitValue = series.role.limit { found.append((resource, series, limitValue)) }
                }
            }
            return found
        }
        var options = CapacityForecast.Options()
        options.replicates = 100
        let entries = capacities.map { resource, series, limitValue -> AnalysisJSON.Capacity in
            let result = Result { () throws(InsufficientData) -> CapacityForecast.Forecast in
                try CapacityForecast.timeToLimit(series.points, limit: limitValue, options: options)
            }
            switch result {
            case .success(let forecast):
                return .init(resource: resource, metric: series.metric, limit: limitValue, current: series.points.last?.v, forecast: forecast, reason: nil)
            case .failure(let error):
                return .init(resource: resource, metric: series.metric, limit: limitValue, current: series.points.last?.v, forecast: nil, reason: error.description)
            }
        }
        let ranked = entries.sorted { a, b in
            switch (a.crossingMs, b.crossingMs) {
            case let (x?, y?): return x != y ? x < y : a.metric < b.metric
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return (a.resourceName, a.metric) < (b.resourceName, b.metric)
            }
        }
        return try Envelope.success(Array(ranked.prefix(limit)))
    }
}
