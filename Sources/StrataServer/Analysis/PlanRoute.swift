import Hummingbird
import StrataAnalysis
import StrataCatalog
import StrataCore
import StrataTSDB
import StrataWire

/// `POST /api/v1/analysis/plan` (read): consolidation and P2V planning — each VM's (or physical platform's) demand
/// is a percentile of its measured usage (CPU cores, memory bytes, disk IOPS, network bytes/s), placed onto the
/// given hosts (or the tenant's hypervisor hosts) by `Planner`, with what-if changes and per-host risk.
struct PlanRoute {
    let catalog: any Catalog
    let queries: QueryRoutes
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.post("analysis/plan", .permission(.read)) { request, context in try await plan(request, context) }
    }

    func plan(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let tenant = try context.requirePrincipal().tenantID
        let body = try await StrictJSON.decode(PlanRequest.self, from: request, allowedFields: PlanRequest.fields, nestedFields: PlanRequest.nested,
                                               limit: maxJSONBytes, example: PlanRequest.example)
        let kind: ResourceKind = body.kind == "platform" ? .platform : .vm
        guard body.kind == nil || body.kind == "vm" || body.kind == "platform" else { throw APIError.badData("kind must be vm or platform") }
        let percentile = body.percentile ?? 95
        guard percentile.isFinite, (1...100).contains(percentile) else { throw APIError.badData("percentile must be between 1 and 100") }
        let to = body.to ?? Time.nowMs()
        let from = body.from ?? Int64(max(-9.2e18, Double(to) - 14 * 86_400_000))
        guard from < to else { throw APIError.badData("from must be before to") }
        var resources = try await catalog.resources(tenantID: tenant, query: ResourceQuery(kind: kind, limit: 10_000))
        if let wanted = body.resources {
            let known = Set(resources.map(\.id))
            if let missing = wanted.first(where: { !known.contains($0) }) { throw APIError.badData("resources: no \(kind.rawValue) \(missing) in this tenant") }
            resources = resources.filter { wanted.contains($0.id) }
        }
        let budget = try queries.budget(QueryString(request), context)
        let demands: [(ResourceRecord, Demand, [Demand])] = try await queries.answer(tenant: tenant) { reader in
            let read = AnalysisReader(catalog: catalog, reader: reader, budget: budget, points: 500)
            var out: [(ResourceRecord, Demand, [Demand])] = []
            for resource in resources {
                let series = try await read.points(of: resource.id, names: PlanDemand.metricNames, from: from, to: to)
                let usage = PlanDemand.usage(series)
                guard !usage.isEmpty else { continue }
                out.append((resource, PlanDemand.percentile(usage, percentile), usage))
            }
            return out
        }
        guard !demands.isEmpty else { throw APIError(status: .unprocessableContent, errorType: "insufficient_data",
                                                     message: "no \(kind.rawValue) has usage history (cpu_used_cores, memory_used_bytes, …) between from and to") }
        let groups = body.antiAffinity ?? [:]
        let length = demands.map(\.2.count).min() ?? 0
        let workloads = demands.map { resource, demand, usage in
            Workload(id: resource.id, demand: demand, antiAffinityGroup: groups.first { $0.value.contains(resource.id) }?.key,
                     usage: Array(usage.suffix(length)))
        }
        let hosts = try await hostList(body, tenant: tenant)
        guard !hosts.isEmpty else { throw APIError.badData("no hosts: give hosts, or the tenant needs hypervisor hosts with cpu and memory properties") }
        do {
            let problem = try PlacementProblem(workloads: workloads, hosts: hosts,
                                               options: PlanningOptions(headroom: body.headroom ?? 0, memoryOvercommit: body.memoryOvercommit ?? 1))
            let names = Dictionary(demands.map { ($0.0.id, $0.0.name) }) { a, _ in a }
            let changes = try body.changes()
            if changes.isEmpty { return try Envelope.success(AnalysisJSON.PlanAnswer(Planner.plan(problem), problem: problem, names: names)) }
            let result = try Planner.whatIf(problem, changes)
            return try Envelope.success(AnalysisJSON.WhatIfAnswer(result, problem: problem, names: names))
        } catch let error as PlanningError {
            throw APIError.badData(error.description)
        }
    }

    /// The hosts of the request, or the tenant's hypervisors' hosts with their CPUs and memory.
    func hostList(_ body: PlanRequest, tenant: String) async throws -> [PlanningHost] {
        if let hosts = body.hosts {
            var out: [PlanningHost] = []
            for host in hosts {
                let count = host.count ?? 1
                guard (1...10_000).contains(count), out.count + count <= 100_000 else { throw APIError.badData("hosts: count must be between 1 and 10000") }
                let capacity = Demand(cpu: host.cpu, memory: host.memoryBytes, diskIOPS: host.diskIOPS ?? .greatestFiniteMagnitude,
                                      network: host.network ?? .greatestFiniteMagnitude)
                for n in 0..<count { out.append(PlanningHost(id: n == 0 ? host.id : "\(host.id)+\(n)", capacity: capacity)) }
            }
            return out
        }
        return try await catalog.resources(tenantID: tenant, query: ResourceQuery(kind: .hypervisor, limit: 10_000)).compactMap { hypervisor in
            guard let properties = try? PropertyValue(json: hypervisor.propertiesJSON),
                  let cpus = properties["cpus"].flatMap(UsageRoutes.number), let memory = properties["memory_bytes"].flatMap(UsageRoutes.number)
            else { return nil }
            return PlanningHost(id: hypervisor.id, capacity: Demand(cpu: cpus, memory: memory, diskIOPS: .greatestFiniteMagnitude, network: .greatestFiniteMagnitude))
        }
    }
}
