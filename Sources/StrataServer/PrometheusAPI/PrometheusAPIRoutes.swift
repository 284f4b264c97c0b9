import Foundation
import Hummingbird
import StrataCatalog
import StrataCore
import StrataTSDB
import StrataWire

/// The Prometheus HTTP API under `/prometheus/api/v1/` (docs/prometheus.md "Reading with Prometheus's API"): what
/// Grafana's Prometheus data source and `promtool` call to find series, label names and values, metadata and the
/// build, answered as Prometheus 2.42 answers them — one envelope (`status`, `data`, optional `warnings`), its error
/// types (`bad_data` 400, `timeout`/`canceled` 503) and parameter rules (`PrometheusParameters`). Authenticated and
/// scoped to the caller's tenant like every other route; reads go through the same query gate and budget as
/// `/api/v1/query` (`QueryRoutes`), with the cross-layer labels and info series of `CrossLayerQuerier`.
struct PrometheusAPIRoutes {
    /// The shared reading machinery: tenant querier, per-tenant gate, timeout.
    let reads: QueryRoutes
    let catalog: any Catalog
    /// When the server started, for `status/runtimeinfo`.
    let startedMs: Int64
    let retentionMs: Int64

    /// The Prometheus version whose API Strata answers (Grafana reads it to choose the features it uses).
    static let apiVersion = "2.42.0"

    func register(on group: SecuredGroup) {
        for method in [HTTPRequest.Method.get, .post] {
            group.on(method, "series", .permission(.read)) { request, context in try await series(request, context) }
            group.on(method, "labels", .permission(.read)) { request, context in try await labels(request, context) }
        }
        group.get("label/:name/values", .permission(.read)) { request, context in try await values(request, context) }
        group.get("metadata", .permission(.read)) { request, context in try await metadata(request, context) }
        for method in [HTTPRequest.Method.get, .post] {
            group.on(method, "query_exemplars", .permission(.read)) { request, context in
                let parameters = try await PrometheusRequest.parameters(request, context)
                _ = try PrometheusRequest.window(parameters)
                return PrometheusRequest.success(.array([]))
            }
        }
        group.get("status/buildinfo", .permission(.read)) { _, _ in
            PrometheusRequest.success(.object([
                ("version", .string(Self.apiVersion)), ("revision", .string("strata")), ("branch", "strata"),
                ("buildUser", ""), ("buildDate", ""), ("goVersion", ""),
            ]))
        }
        group.get("status/runtimeinfo", .permission(.read)) { _, _ in runtimeInfo() }
    }

    /// The series matching any `match[]` selector (at least one is required) that hold samples between `start`
    /// and `end` (by chunk bounds, as Prometheus decides), as label sets.
    func series(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let selectors = parameters.all("match[]")
        guard !selectors.isEmpty else { throw APIError.badData("no match[] parameter provided") }
        let matchers = try PrometheusRequest.matchers(selectors)
        let window = try PrometheusRequest.window(parameters)
        let unbounded = window.start <= PrometheusParameters.earliestMs && window.end >= PrometheusParameters.latestMs
        let limit = try PrometheusRequest.limit(parameters)
        let tenant = try context.requirePrincipal().tenantID
        let budget = try reads.budget(parameters.values, context)
        let found = try await reads.answer(tenant: tenant) { tenantReader in
            let reader = CrossLayerQuerier(tenantReader, catalog: catalog)
            var seen = Set<StableID>()
            var sets: [Labels] = []
            for selector in matchers {
                let selected = unbounded ? try await reader.select(selector, budget: budget)
                    : try await reader.select(selector, fromMs: window.start, toMs: window.end, budget: budget)
                for series in selected where seen.insert(series.id).inserted {
                    sets.append(series.labels)
                }
            }
            return sets
        }
        var sorted = found.map { labels in labels.pairs.filter { Labels.isVisible($0.name) } }.sorted { Self.precedes($0, $1) }
        var warnings: [String] = []
        if let limit, sorted.count > limit {
            sorted.removeLast(sorted.count - limit)
            warnings.append("results truncated due to limit")
        }
        let data = JSON.array(sorted.map { pairs in .object(pairs.map { ($0.name, .string($0.value)) }) })
        return PrometheusRequest.success(data, warnings: warnings)
    }

    /// Label names of the series matching any `match[]` (every series without one).
    func labels(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let matchers = try PrometheusRequest.matchers(parameters.all("match[]"))
        _ = try PrometheusRequest.window(parameters)
        let limit = try PrometheusRequest.limit(parameters)
        let tenant = try context.requirePrincipal().tenantID
        let budget = try reads.budget(parameters.values, context)
        let names = try await reads.answer(tenant: tenant) { tenantReader in
            let reader = CrossLayerQuerier(tenantReader, catalog: catalog)
            var names = Set<String>()
            for selector in matchers.isEmpty ? [[]] : matchers {
                names.formUnion(try await reader.labelNames(matching: selector, budget: budget))
            }
            return names.filter(Labels.isVisible).sorted()
        }
        return PrometheusRequest.success(strings(names, limit: limit))
    }

    /// Values of one label among the series matching any `match[]`.
    func values(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let name = context.parameters.get("name") ?? ""
        guard PrometheusRequest.isLabelName(name) else { throw APIError.badData("invalid label name: \"\(name)\"") }
        let matchers = try PrometheusRequest.matchers(parameters.all("match[]"))
        _ = try PrometheusRequest.window(parameters)
        let limit = try PrometheusRequest.limit(parameters)
        let tenant = try context.requirePrincipal().tenantID
        guard Labels.isVisible(name) else { return PrometheusRequest.success(.array([])) }
        let budget = try reads.budget(parameters.values, context)
        let values = try await reads.answer(tenant: tenant) { tenantReader in
            let reader = CrossLayerQuerier(tenantReader, catalog: catalog)
            var values = Set<String>()
            for selector in matchers.isEmpty ? [[]] : matchers {
                values.formUnion(try await reader.labelValues(name, matching: selector, budget: budget))
            }
            return values.sorted()
        }
        return PrometheusRequest.success(strings(values, limit: limit))
    }

    /// Metric families' type, help and unit, as remote write reported them (`metric`, `limit`).
    func metadata(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let parameters = try await PrometheusRequest.parameters(request, context)
        let limit = try PrometheusRequest.limit(parameters)
        let tenant = try context.requirePrincipal().tenantID
        let metric = parameters["metric"].flatMap { $0.isEmpty ? nil : $0 }
        let families = try await catalog.metricMetadata(tenantID: tenant, family: metric, limit: limit)
        return PrometheusRequest.success(.object(families.map { family in
            (family.family, .array([.object([("type", .string(family.type.name)), ("help", .string(family.help)), ("unit", .string(family.unit))])]))
        }))
    }

    func runtimeInfo() -> Response {
        let seconds = Double(startedMs) / 1000
        let started = ISO8601DateFormatter.string(from: Date(timeIntervalSince1970: seconds), timeZone: .gmt,
                                                  formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        return PrometheusRequest.success(.object([
            ("startTime", .string(started)), ("CWD", .string(FileManager.default.currentDirectoryPath)),
            ("reloadConfigSuccess", .bool(true)), ("lastConfigTime", .string(started)), ("corruptionCount", .int(0)),
            ("goroutineCount", .int(0)), ("GOMAXPROCS", .int(Int64(ProcessInfo.processInfo.activeProcessorCount))),
            ("GOGC", ""), ("GODEBUG", ""), ("storageRetention", .string(DurationText.format(retentionMs))),
        ]))
    }

    /// `values` as a JSON array, cut to `limit` with Prometheus's warning.
    func strings(_ values: [String], limit: Int?) -> JSON {
        let kept = limit.map { Array(values.prefix($0)) } ?? values
        return .array(kept.map { .string($0) })
    }

    /// Series order as Prometheus sorts label sets: label by label, by name, then value; a prefix first.
    static func precedes(_ left: [Label], _ right: [Label]) -> Bool {
        for (a, b) in zip(left, right) {
            if a.name != b.name { return a.name < b.name }
            if a.value != b.value { return a.value < b.value }
        }
        return left.count < right.count
    }
}
