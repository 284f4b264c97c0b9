import Foundation
import Hummingbird
import StrataAnalysis
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB
import StrataWire
import Yams

/// Showback and licensing over HTTP: `GET /api/v1/analysis/chargeback` (JSON, or CSV with `format=csv`) prices each
/// VM's and container's allocation and usage over a period with the rate card in `DATA/ratecard.yml`;
/// `GET /api/v1/analysis/licensing` counts the peak of concurrently running servers per type, overall, per host
/// (following VMs through their home history) and per VM. Both read the catalog's lifetimes, removed resources
/// included, so a month that is over still counts what ran in it.
struct UsageRoutes {
    let catalog: any Catalog
    let queries: QueryRoutes
    let dataDirectory: String

    func register(on group: SecuredGroup) {
        group.get("analysis/chargeback", .permission(.read)) { request, context in try await chargeback(request, context) }
        group.get("analysis/licensing", .permission(.read)) { request, context in try await licensing(request, context) }
    }

    /// The rate card of `DATA/ratecard.yml`; zero prices when there is none.
    func rateCard() throws -> (RateCard, String) {
        let path = (dataDirectory as NSString).appendingPathComponent("ratecard.yml")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return (RateCard(), "none: prices are 0 until \(path) exists") }
        do {
            return (try YAMLDecoder().decode(RateCard.self, from: text), path)
        } catch {
            throw APIError(status: .unprocessableContent, errorType: "bad_rate_card", message: "\(path): \(error)")
        }
    }

    func period(_ request: Request) throws -> (Int64, Int64) {
        let (from, to) = try QueryString(request).window(defaultSpanMs: 30 * 86_400_000, nowMs: Time.nowMs())
        guard to > from else { throw APIError.badData("the period is empty: to must be after from") }
        return (from, to)
    }

    func chargeback(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let parameters = QueryString(request)
        let (from, to) = try period(request)
        let (card, source) = try rateCard()
        let budget = try queries.budget(parameters, context)
        let directory = try await catalog.crossLayerDirectory(tenantID: tenant)
        let charged = directory.allResources.filter { ($0.kind == .vm || $0.kind == .container) && ($0.toMs ?? .max) > from }
        // Groups: a member covers itself and everything below it, so a VM is in a group holding it or an ancestor.
        var groupMembers: [(name: String, members: Set<String>)] = []
        for group in try await catalog.resources(tenantID: tenant, query: ResourceQuery(kind: .group, limit: 10_000)) {
            groupMembers.append((group.name, Set(try await catalog.groupMembers(tenantID: tenant, groupID: group.id) ?? [])))
        }
        func groups(of resource: CrossLayerDirectory.Resource) -> [String] {
            var chain: Set<String> = [resource.id]
            var current = resource, hops = 0
            while let parent = current.parentID.flatMap(directory.resource), hops < 10 {
                chain.insert(parent.id)
                current = parent
                hops += 1
            }
            return groupMembers.filter { !$0.members.isDisjoint(with: chain) }.map(\.name).sorted()
        }
        // Each VM's first home and the guest platforms beneath it, gathered once rather than searched per VM.
        var firstHome: [String: Int64] = [:]
        for span in directory.homeSpans { firstHome[span.vmID] = min(firstHome[span.vmID] ?? .max, span.fromMs) }
        let guests = Dictionary(grouping: directory.allResources.filter { $0.kind == .platform && $0.parentID != nil }) { $0.parentID! }
        let records: [UsageRecord] = try await queries.answer(tenant: tenant) { reader in
            let read = AnalysisReader(catalog: catalog, reader: reader, budget: budget, points: 5_000)
            var records: [UsageRecord] = []
            for resource in charged.prefix(5_000) {
                let properties = try await catalog.resource(tenantID: tenant, id: resource.id)
                    .flatMap { try? PropertyValue(json: $0.propertiesJSON) }
                func number(_ key: String) -> Double { properties?[key].flatMap(Self.number) ?? 0 }
                // A VM known from its home history (imported, or seen before the catalog's record) existed from its first home.
                let start = min(resource.fromMs, firstHome[resource.id] ?? .max)
                let allocation = UsageRecord.Allocation(from: start, to: resource.toMs ?? Int64.max, vcpus: number("vcpus"),
                                                        memoryBytes: number("max_memory_bytes") > 0 ? number("max_memory_bytes") : number("memory_bytes"),
                                                        storageBytes: number("storage_bytes"))
                let cpu = try await read.points(of: resource.id, names: "libvirt_domain_cpu_seconds_total|container_cpu_seconds_total|cpu_used_cores",
                                                from: from, to: to)
                let used = cpu.first { $0.metric == "cpu_used_cores" }?.points ?? cpu.first.map { SignalRoles.rate($0.points) } ?? []
                var network: [[TimePoint]] = []
                let beneath = (guests[resource.id] ?? []).map(\.id)
                for id in [resource.id] + beneath {
                    network += try await read.points(of: id, names: "network_(receive|transmit)_bytes_total", from: from, to: to).map(\.points)
                }
                records.append(UsageRecord(id: resource.id, name: resource.name, tenant: tenant, groups: groups(of: resource), allocations: [allocation],
                                           cpuUsedCores: used, networkBytes: network))
            }
            return records
        }
        // The period is checked above, the only refusal of either report.
        guard let report = try? Chargeback.report(records, from: from, to: to, card: card) else { throw APIError.badData("the period is empty") }
        if parameters["format"] == "csv" {
            return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"chargeback.csv\""],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: report.csv())))
        }
        return try Envelope.success(AnalysisJSON.Chargeback(report: report, rateCard: source))
    }

    static func number(_ value: PropertyValue) -> Double? {
        switch value {
        case .int(let i): return Double(i)
        case .double(let d): return d.isFinite ? d : nil
        case .string(let s): return Double(s)
        default: return nil
        }
    }

    func licensing(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let (from, to) = try period(request)
        let directory = try await catalog.crossLayerDirectory(tenantID: tenant)
        var instances: [Licensing.Instance] = []
        for server in directory.allResources where server.kind == .server && server.fromMs < to && (server.toMs ?? .max) > from {
            let properties = try await catalog.resource(tenantID: tenant, id: server.id).flatMap { try? PropertyValue(json: $0.propertiesJSON) }
            let type = properties?["type"]?.stringValue ?? server.name
            // The VM it runs in, else the top of its chain (the physical host).
            var current = server, vm: String?, hops = 0
            while let parent = current.parentID.flatMap(directory.resource), hops < 10 {
                if parent.kind == .vm { vm = parent.id; break }
                current = parent
                hops += 1
            }
            instances.append(.init(id: server.id, type: type, vmID: vm, hostID: vm == nil ? current.id : nil, from: server.fromMs, to: server.toMs ?? Int64.max))
        }
        let placements = directory.homeSpans.map { span in
            Licensing.Placement(vmID: span.vmID, hostID: directory.resource(span.hypervisorID)?.parentID ?? span.hypervisorID,
                                from: span.fromMs, to: span.toMs ?? Int64.max)
        }
        guard let report = try? Licensing.count(instances, placements: placements, from: from, to: to) else { throw APIError.badData("the period is empty") }
        return try Envelope.success(AnalysisJSON.LicensingCounts(report, names: { directory.resource($0)?.name }))
    }
}
