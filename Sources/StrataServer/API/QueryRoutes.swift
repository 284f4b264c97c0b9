import Hummingbird
import StrataAPI
import StrataWire
import StrataCore
import StrataTSDB

/// `GET /api/v1/query`: many series at once by selector, per-step function, chosen or named resolution.
/// Scoped to the caller's tenant by an internal `__tenant__` matcher. Every query runs within a budget: the
/// server's `query_timeout` (a `timeout` parameter may shorten it), and it stops when its client goes away.
struct QueryRoutes {
    /// The store's readers' contract; every read goes through a `TenantQuerier` of the caller's tenant.
    let querier: any Querier
    /// Longest a query may run, in ms.
    let timeoutMs: Int64
    /// Concurrent queries per tenant.
    let gate = QueryGate()
    /// Most series one query may return.
    static let maxSeries = 10_000
    /// Most samples (or rollup buckets) one query may decode, as the PromQL engine's default.
    static let maxSamples = 20_000_000

    func register(on group: SecuredGroup) {
        group.get("query", .permission(.read)) { request, context in try await query(request, context) }
        group.get("labels", .permission(.read)) { request, context in try await labels(request, context) }
        group.get("labels/:name/values", .permission(.read)) { request, context in try await values(request, context) }
    }

    func query(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryString(request)
        guard let selector = parameters["select"], !selector.isEmpty else {
            throw APIError.badData(#"select is required: a series selector such as cpu_seconds_total{mode="user"}"#)
        }
        var matchers: [LabelMatcher]
        do {
            matchers = try SeriesSelector.parse(selector)
        } catch {
            throw APIError.badData("select: \(error)")
        }
        let (from, to) = try parameters.window(defaultSpanMs: 3_600_000, nowMs: Time.nowMs())
        let step = try parameters.step() ?? Self.defaultStep(from: from, to: to)
        let function = try parameters["fn"].map { text in
            guard let function = QueryFunction(rawValue: text) else {
                throw APIError.badData("fn \"\(text)\" is not one of \(QueryFunction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return function
        } ?? .last
        var resolution: Resolution?
        if let text = parameters["resolution"], text != "auto" {
            guard let named = Resolution(rawValue: text) else {
                throw APIError.badData("resolution \"\(text)\" is not one of auto, raw, 1m, 1h")
            }
            resolution = named
        }
        // One read: its samples count against the limit (the analysis routes read resource after resource within one
        // budget, so they set none: each of their reads covers one resource's series).
        var budget = try budget(parameters, context)
        budget.sampleLimit = Self.maxSamples
        let result = try await answer(tenant: tenant) { reader in
            try await reader.query(RangeQuery(matchers: matchers, fromMs: from, toMs: to, stepMs: step, function: function,
                                              resolution: resolution), budget: budget)
        }
        guard result.series.count <= Self.maxSeries else {
            throw APIError.badData("\(result.series.count) series match; narrow the selector (at most \(Self.maxSeries))")
        }
        return try Envelope.success(API.QueryResult(resolution: result.resolution.rawValue, stepMs: step, fn: function.rawValue, series: result.series.map {
            API.QuerySeries(id: $0.id, labels: API.LabelObject($0.labels), points: $0.points.map { API.Point($0.timestampMs, $0.value) })
        }))
    }

    func labels(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let budget = try budget(QueryString(request), context)
        let names = try await answer(tenant: tenant) { try await $0.labelNames(matching: [], budget: budget) }
        return try Envelope.success(names)
    }

    func values(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let name = context.parameters.get("name") ?? ""
        guard Labels.isVisible(name) else { throw APIError.notFound("no label \(name)") }
        let budget = try budget(QueryString(request), context)
        let values = try await answer(tenant: tenant) { try await $0.labelValues(name, matching: [], budget: budget) }
        return try Envelope.success(values)
    }

    /// The budget of a request: the server's timeout or the shorter `timeout` parameter (seconds or a duration),
    /// and its connection: once the client has gone, the query stops.
    func budget(_ parameters: QueryString, _ context: StrataRequestContext) throws -> QueryBudget {
        var milliseconds = timeoutMs
        if let asked = try parameters.step("timeout") { milliseconds = min(milliseconds, asked) }
        // A connection that was open when the query began and has closed since means the client has gone
        // (in-process tests run on a channel that is never active).
        let channel = context.channel
        let connected = channel.isActive
        return QueryBudget(timeout: .milliseconds(milliseconds), isAbandoned: { connected && !channel.isActive })
    }

    /// What `body` reads through the tenant's `TenantQuerier`, as one of the tenant's gated queries; refusals
    /// as API errors: 400 for a bad query, 503 for one that ran out of time (`timeout`) or whose client went
    /// away (`canceled`).
    func answer<T>(tenant: String, _ body: (TenantQuerier) async throws -> T) async throws -> T {
        let reader = try TenantQuerier(querier, tenant: tenant)
        do {
            return try await gate.run(tenant: tenant) { try await body(reader) }
        } catch let error as QueryError {
            switch error.reason {
            case .invalid: throw APIError.badData(error.message)
            case .tooLarge:
                throw APIError.badData("the query would read more than \(Self.maxSamples) samples or rollup buckets; narrow the selector or the range, or use a coarser resolution")
            case .timeout: throw APIError(status: .serviceUnavailable, errorType: "timeout", message: error.message)
            case .canceled: throw APIError(status: .serviceUnavailable, errorType: "canceled", message: error.message)
            }
        }
    }

    /// About 240 points over the range, in whole seconds, at least 10 s.
    static func defaultStep(from: Int64, to: Int64) -> Int64 {
        max(10_000, ((to - from) / 240 + 999) / 1000 * 1000)
    }
}
