import Hummingbird
import StrataAPI
import StrataWire
import StrataCatalog

/// `GET /api/v1/placements`: where VMs ran. `vm=ID` gives a VM's placement history (where it ran at `at`,
/// with `at`); `hypervisor=ID` or `host=ID` (a platform: its hypervisors) gives the VMs that ran there (at
/// `at`). Each placement names the VM, the hypervisor and the host platform, from when and until when.
struct PlacementRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("placements", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            let parameters = QueryString(request)
            let vm = parameters["vm"]
            let hypervisor = parameters["hypervisor"]
            let host = parameters["host"]
            guard [vm, hypervisor, host].compactMap({ $0 }).count == 1 else {
                throw APIError.badData("give exactly one of vm, hypervisor or host (resource ids)")
            }
            let at = try parameters.time("at")
            var placements: [PlacementRecord] = []
            if let host {
                guard try await catalog.resource(tenantID: tenant, id: host)?.kind == .platform else {
                    throw APIError.notFound("no platform \(host) in this tenant")
                }
                for hypervisor in try await catalog.resources(tenantID: tenant, query: ResourceQuery(kind: .hypervisor, parentID: host)) {
                    placements += try await catalog.placements(tenantID: tenant, vmID: nil, hypervisorID: hypervisor.id, atMs: at)
                }
                placements.sort { ($0.fromMs, $0.vmID) < ($1.fromMs, $1.vmID) }
            } else {
                placements = try await catalog.placements(tenantID: tenant, vmID: vm, hypervisorID: hypervisor, atMs: at)
            }
            var names: [String: ResourceRecord] = [:]
            func resource(_ id: String?) async throws -> ResourceRecord? {
                guard let id else { return nil }
                if let known = names[id] { return known }
                let found = try await catalog.resource(tenantID: tenant, id: id)
                names[id] = found
                return found
            }
            var rows: [API.Placement] = []
            for placement in placements {
                let hypervisorRecord = try await resource(placement.hypervisorID)
                let hostRecord = try await resource(hypervisorRecord?.parentID)
                rows.append(API.Placement(vmId: placement.vmID, vmName: try await resource(placement.vmID)?.name, hypervisorId: placement.hypervisorID,
                                          hypervisorName: hypervisorRecord?.name, hostId: hostRecord?.id, hostName: hostRecord?.name,
                                          fromMs: placement.fromMs, toMs: placement.toMs))
            }
            return try Envelope.success(rows)
        }
    }
}
