import HTTPTypes
import Hummingbird
import StrataAPI
import StrataWire
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

/// `/api/v1` inventory and series routes. Every query is scoped to the caller's tenant.
struct ResourceRoutes {
    let catalog: any Catalog
    /// Reads of samples, through a `TenantQuerier` of the caller's tenant.
    let querier: any Querier

    /// Most points a stepped query may return, as in Prometheus.
    static let maxSteppedPoints: Int64 = 11_000
    /// Most raw samples one query may return.
    static let maxRawSamples = 100_000

    func register(on group: SecuredGroup) {
        group.get("resources", .permission(.read)) { request, context in try await list(request, context) }
        group.get("resources/:id", .permission(.read)) { request, context in try await show(request, context) }
        group.get("resources/:id/series", .permission(.read)) { request, context in try await seriesOf(request, context) }
        group.get("series/:id/samples", .permission(.read)) { request, context in try await samples(request, context) }
        group.get("inventory/summary", .permission(.read)) { _, context in try await summary(context) }
    }

    func list(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        var query = ResourceQuery()
        let parameters = QueryString(request)
        if let kind = parameters["kind"] {
            guard let parsed = ResourceKind(rawValue: kind) else {
                throw APIError.badData("unknown kind \"\(kind)\"; one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.kind = parsed
        }
        query.parentID = parameters["parent"] == "none" ? "" : parameters["parent"]
        query.text = parameters["q"]
        query.limit = try parameters.limit(default: query.limit)
        if let availability = parameters["availability"] {
            guard let parsed = Availability(rawValue: availability) else {
                throw APIError.badData("unknown availability \"\(availability.prefix(40))\"; one of \(Availability.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            query.availability = parsed
        }
        if let property = parameters["property"] { query.property = try Self.propertyFilter(property) }
        query.offset = Int(try parameters.integer("offset", in: 0...1_000_000_000, meaning: "rows to skip") ?? 0)
        let resources = try await catalog.resources(tenantID: tenant, query: query)
        let total = query.offset == 0 && resources.count < query.limit
            ? resources.count : try await catalog.resourceCount(tenantID: tenant, query: query)
        var response = try Envelope.success(resources.map(API.Resource.init))
        response.headers[HTTPField.Name("X-Total-Count")!] = String(total)
        return response
    }

    /// `KEY=VALUE`: resources whose property KEY (letters, digits, `_ - . :`) has the text VALUE.
    static func propertyFilter(_ text: String) throws -> (key: String, value: String) {
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:")
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 100, parts[0].allSatisfy(allowed.contains) else {
            throw APIError.badData("property must be KEY=VALUE with a key of letters, digits, _ - . or :, such as os=linux; got \"\(text.prefix(60))\"")
        }
        return (String(parts[0]), String(parts[1]))
    }

    /// `GET /api/v1/inventory/summary`: counts of approved resources by kind (platforms split into hosts and guests)
    /// and availability.
    func summary(_ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let counts = try await catalog.inventorySummary(tenantID: tenant)
        var kinds: [String: [String: Int]] = [:]
        for count in counts { kinds[count.kind, default: [:]][count.availability.rawValue, default: 0] += count.count }
        return try Envelope.success(API.InventorySummary(kinds: kinds))
    }

    func show(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let resource = try await requireResource(context, tenant: tenant)
        var parents: [ResourceRecord] = []
        var cursor = resource.parentID
        while let parentID = cursor, parents.count < 32, let parent = try await catalog.resource(tenantID: tenant, id: parentID) {
            parents.insert(parent, at: 0)
            cursor = parent.parentID
        }
        let children = try await catalog.resources(tenantID: tenant, query: ResourceQuery(parentID: resource.id))
        var related: [API.Relation] = []
        for relation in try await catalog.relations(tenantID: tenant, resourceID: resource.id) {
            let outgoing = relation.sourceID == resource.id
            let other = try await catalog.resource(tenantID: tenant, id: outgoing ? relation.targetID : relation.sourceID)
            related.append(API.Relation(kind: relation.kind, direction: outgoing ? "out" : "in", resourceId: outgoing ? relation.targetID : relation.sourceID,
                                        name: other?.name, evidence: relation.evidence, active: relation.active, createdMs: relation.createdMs,
                                        seenMs: relation.seenMs))
        }
        return try Envelope.success(API.ResourceDetail(resource: API.Resource(resource), parents: parents.map(API.Resource.init),
                                                       children: children.map(API.Resource.init), relations: related))
    }

    func seriesOf(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let resource = try await requireResource(context, tenant: tenant)
        var series = try await catalog.series(tenantID: tenant, resourceID: resource.id)
        let listed = Set(series.map(\.id))
        series += try await RemoteSeriesLookup(catalog: catalog, querier: querier).series(tenant: tenant, resourceID: resource.id)
            .filter { !listed.contains($0.id) }
            .sorted { $0.metric != $1.metric ? $0.metric < $1.metric : $0.id < $1.id }
        return try Envelope.success(series.map(API.Series.init))
    }

    func samples(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        guard let text = context.parameters.get("id"), let id = StableID(hex: text) else {
            throw APIError.notFound("no series \(context.parameters.get("id") ?? "") in this tenant")
        }
        var found = try await catalog.series(tenantID: tenant, id: id)
        if found == nil { found = try await RemoteSeriesLookup(catalog: catalog, querier: querier).series(tenant: tenant, id: id) }
        guard let series = found else {
            throw APIError.notFound("no series \(context.parameters.get("id") ?? "") in this tenant")
        }
        let parameters = QueryString(request)
        let (from, to) = try parameters.window(defaultSpanMs: 3_600_000, nowMs: Time.nowMs())
        let step = try parameters.step()
        if let stepMs = step {
            guard (to - from) / stepMs <= Self.maxSteppedPoints else {
                throw APIError.badData("from..to / step is more than \(Self.maxSteppedPoints) points; use a larger step")
            }
        }
        // With a step, the whole steps the window touches, as `/api/v1/query` answers them (`StepBuckets`).
        let span = step.map { StepBuckets.span(fromMs: from, toMs: to, stepMs: $0) } ?? from...to
        var samples = try await TenantQuerier(querier, tenant: tenant).samples(series: id, fromMs: span.lowerBound, toMs: span.upperBound)
        if let stepMs = step {
            samples = Self.lastPerStep(samples, stepMs: stepMs)
        } else if samples.count > Self.maxRawSamples {
            throw APIError.badData("more than \(Self.maxRawSamples) samples; narrow from..to or give a step")
        }
        return try Envelope.success(API.SeriesSamples(series: API.Series(series), samples: samples.map { API.Point($0.timestampMs, $0.value) }))
    }

    /// Keeps the last sample of each step bucket, stamped with the bucket's start (`StepBuckets`, the rule
    /// `/api/v1/query` follows too).
    static func lastPerStep(_ samples: [Sample], stepMs: Int64) -> [Sample] {
        var result: [Sample] = []
        for sample in samples {
            let start = StepBuckets.start(of: sample.timestampMs, stepMs: stepMs)
            if let last = result.last, last.timestampMs == start {
                result[result.count - 1] = Sample(start, sample.value)
            } else {
                result.append(Sample(start, sample.value))
            }
        }
        return result
    }

    func requireResource(_ context: StrataRequestContext, tenant: String) async throws -> ResourceRecord {
        let id = context.parameters.get("id") ?? ""
        guard let resource = try await catalog.resource(tenantID: tenant, id: id) else {
            throw APIError.notFound("no resource \(id) in this tenant")
        }
        return resource
    }
}
