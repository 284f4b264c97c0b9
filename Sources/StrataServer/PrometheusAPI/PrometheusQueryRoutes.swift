import Hummingbird
import StrataCatalog
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import StrataWire

/// PromQL under `/prometheus/api/v1/`: `query`, `query_range` and `format_query`, GET or form POST, with Prometheus
/// 2.42's parameters (`query`, `time`, `start`, `end`, `step`, `timeout`), answers (`resultType` vector, matrix,
/// scalar or string) and errors: `bad_data` 400 for bad parameters and queries that do not parse, `execution` 422
/// for what evaluation finds, `timeout`/`canceled` 503. Scoped to the caller's tenant and gated like every read;
/// series carry the cross-layer labels and info series of `CrossLayerQuerier`.
struct PrometheusQueryRoutes {
    let reads: QueryRoutes
    /// Where the cross-layer labels come from.
    let catalog: any Catalog
    var engine = Engine()

    /// Most points one series of a range query may have (Prometheus's fixed bound).
    static let maxPointsPerSeries: Int64 = 11_000

    func register(on group: SecuredGroup) {
        for method in [HTTPRequest.Method.get, .post] {
            group.on(method, "query", .permission(.read)) { request, context in try await instant(request, context) }
            group.on(method, "query_range", .permission(.read)) { request, context in try await range(request, context) }
            group.on(method, "format_query", .permission(.read)) { request, context in try await format(request, context) }
        }
    }

    /// An instant query at `time` (default: now).
    func instant(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let time: Int64
        do {
            time = try parameters.time("time", default: Time.nowMs())
        } catch {
            throw APIError.badData(error.description)
        }
        let budget = try budget(parameters, context)
        let expr: Expr
        do {
            expr = try PromQLParser.parse(parameters["query"] ?? "")
        } catch {
            throw APIError.badData("invalid parameter \"query\": \(error.description)")
        }
        let tenant = try context.requirePrincipal().tenantID
        let answer = try await run(tenant: tenant) { querier throws(EngineError) in
            try await engine.instant(expr, at: time, querier: querier, budget: budget)
        }
        return PromQLAnswerJSON.response(answer)
    }

    /// A range query over `start...end` at `step`.
    func range(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let start: Int64, end: Int64, step: Int64
        do {
            start = try Self.requiredTime(parameters, "start")
            end = try Self.requiredTime(parameters, "end")
            guard end >= start else { throw APIError.badData("invalid parameter \"end\": end timestamp must not be before start time") }
            guard let stepMs = try parameters.duration("step") else {
                throw APIError.badData("invalid parameter \"step\": cannot parse \"\" to a valid duration")
            }
            step = stepMs
        } catch let invalid as PrometheusParameters.Invalid {
            throw APIError.badData(invalid.description)
        }
        guard step > 0 else {
            throw APIError.badData("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard (end &- start) / step <= Self.maxPointsPerSeries else {
            throw APIError.badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let budget = try budget(parameters, context)
        let expr: Expr
        do {
            expr = try PromQLParser.parse(parameters["query"] ?? "")
        } catch {
            throw APIError.badData(error.description)
        }
        let tenant = try context.requirePrincipal().tenantID
        let answer = try await run(tenant: tenant) { querier throws(EngineError) in
            try await engine.range(expr, startMs: start, endMs: end, stepMs: step, querier: querier, budget: budget)
        }
        return PromQLAnswerJSON.response(answer)
    }

    /// The query as Prometheus prints it (`Pretty(0)`: indentation 0, lines up to 100 characters).
    func format(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        do {
            let expr = try PromQLParser.parse(parameters["query"] ?? "")
            return PrometheusRequest.success(.string(expr.pretty()))
        } catch {
            throw APIError.badData("invalid parameter \"query\": \(error.description)")
        }
    }

    /// A time parameter that must be given: Prometheus parses an absent one as "" and refuses it.
    static func requiredTime(_ parameters: PrometheusParameters, _ name: String) throws -> Int64 {
        let text = parameters[name] ?? ""
        guard let ms = PrometheusParameters.timeMs(text) else {
            throw APIError.badData("invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
        }
        return ms
    }

    /// The query's budget: the server's timeout, or the `timeout` parameter when it is shorter.
    func budget(_ parameters: PrometheusParameters, _ context: StrataRequestContext) throws -> QueryBudget {
        var milliseconds = reads.timeoutMs
        do {
            if let asked = try parameters.duration("timeout"), asked > 0 { milliseconds = min(milliseconds, asked) }
        } catch {
            throw APIError.badData(error.description)
        }
        let channel = context.channel
        let connected = channel.isActive
        return QueryBudget(timeout: .milliseconds(milliseconds), isAbandoned: { connected && !channel.isActive })
    }

    /// `body` with the tenant's querier, as one of the tenant's gated queries; engine errors as Prometheus's.
    func run(tenant: String, _ body: (CrossLayerQuerier) async throws(EngineError) -> QueryValue) async throws -> QueryValue {
        let reader = CrossLayerQuerier(try TenantQuerier(reads.querier, tenant: tenant), catalog: catalog)
        do {
            return try await reads.gate.run(tenant: tenant) { try await body(reader) }
        } catch let error as EngineError {
            switch error.kind {
            case .badData: throw APIError.badData(error.message)
            case .execution: throw APIError(status: HTTPResponse.Status(code: 422), errorType: "execution", message: error.message)
            case .timeout: throw APIError(status: .serviceUnavailable, errorType: "timeout", message: error.message)
            case .canceled: throw APIError(status: .serviceUnavailable, errorType: "canceled", message: error.message)
            }
        }
    }
}
