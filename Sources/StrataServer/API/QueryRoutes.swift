import Hummingbird
import StrataCore
import StrataTSDB

/// `GET /api/v1/query`: many series at once by selector, per-step function, chosen or named resolution.
/// Scoped to the caller's tenant by an internal `__tenant__` matcher.
struct QueryRoutes {
    let engine: TimeSeriesEngine
    /// Most series one query may return.
    static let maxSeries = 10_000

    func register(on group: SecuredGroup) {
        group.get("query", .permission(.read)) { request, context in try await query(request, context) }
        group.get("labels", .permission(.read)) { request, context in try await labels(request, context) }
        group.get("labels/:name/values", .permission(.read)) { request, context in try await values(request, context) }
    }

    func query(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryParameters(request)
        guard let selector = parameters["select"], !selector.isEmpty else {
            throw APIError.badData(#"select is required: a series selector such as cpu_seconds_total{mode="user"}"#)
        }
        var matchers: [LabelMatcher]
        do {
            matchers = try SeriesSelector.parse(selector)
        } catch {
            throw APIError.badData("select: \(error)")
        }
        matchers.append(try LabelMatcher(Labels.tenant, .equal, tenant))
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
        let result: QueryResult
        do {
            result = try await engine.query(RangeQuery(matchers: matchers, fromMs: from, toMs: to, stepMs: step,
                                                       function: function, resolution: resolution))
        } catch let error as QueryError {
            throw APIError.badData(error.message)
        }
        guard result.series.count <= Self.maxSeries else {
            throw APIError.badData("\(result.series.count) series match; narrow the selector (at most \(Self.maxSeries))")
        }
        return Envelope.success([
            "resolution": .string(result.resolution.rawValue),
            "stepMs": .int(step),
            "fn": .string(function.rawValue),
            "series": .array(result.series.map { series in
                [
                    "id": .string(series.id.description),
                    "labels": .object(series.labels.visible.pairs.map { ($0.name, .string($0.value)) }),
                    "points": .array(series.points.map { [.int($0.timestampMs), .double($0.value)] }),
                ]
            }),
        ])
    }

    func labels(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let names = await engine.labelNames(tenant: tenant)
        return Envelope.success(.array(names.filter(Labels.isVisible).map(JSON.string)))
    }

    func values(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let name = context.parameters.get("name") ?? ""
        guard Labels.isVisible(name) else { throw APIError.notFound("no label \(name)") }
        return Envelope.success(.array(await engine.labelValues(name, tenant: tenant).map(JSON.string)))
    }

    /// About 240 points over the range, in whole seconds, at least 10 s.
    static func defaultStep(from: Int64, to: Int64) -> Int64 {
        max(10_000, ((to - from) / 240 + 999) / 1000 * 1000)
    }
}
