import StrataCatalog
import StrataControl
import StrataCore
import StrataInventory

/// Reads what `FailoverPolicy` needs about one group from the catalog: its hypervisors (members, and those of member
/// platforms) with capacity and the VMs running on them, its VMs with their placements, definitions and disks, the
/// homes of its VMs outside the group, the stored decisions and their commands' states.
struct FailoverViewLoader {
    let catalog: any Catalog
    let tenantID: String

    func view(of group: FailoverGroup) async throws -> FailoverView {
        var hostRecords: [ResourceRecord] = []
        var vmRecords: [ResourceRecord] = []
        for id in group.members {
            guard let record = try await catalog.resource(tenantID: tenantID, id: id), record.removedMs == nil else { continue }
            switch record.kind {
            case .hypervisor: hostRecords.append(record)
            case .vm: vmRecords.append(record)
            case .platform: hostRecords += try await catalog.resources(tenantID: tenantID, query: ResourceQuery(kind: .hypervisor, parentID: record.id))
            default: continue
            }
        }
        // A VM in two failover groups follows the group whose chain it is in; the other leaves it alone meanwhile.
        let stored = try await catalog.failoverDecisions(tenantID: tenantID)
        vmRecords.removeAll { stored[$0.id].map { $0.groupID != group.groupID } == true }
        var hosts: [FailoverHost] = []
        for record in hostRecords where !hosts.contains(where: { $0.id == record.id }) { hosts.append(try await host(record)) }
        var otherHomes: [FailoverHost] = []
        for vm in vmRecords {
            guard let home = vm.parentID, !hosts.contains(where: { $0.id == home }), !otherHomes.contains(where: { $0.id == home }),
                  let record = try await catalog.resource(tenantID: tenantID, id: home) else { continue }
            otherHomes.append(try await host(record))
        }
        let running = try await catalog.runningPlacements(vmIDs: vmRecords.map(\.id))
        let vms = vmRecords.map { record in
            let properties = (try? PropertyValue(json: record.propertiesJSON)) ?? .map([])
            var sources: [String]?
            if case .list(let list)? = properties["disk_sources"] { sources = list.compactMap(\.stringValue) }
            return FailoverVM(id: record.id, name: record.name, uuid: properties["uuid"]?.stringValue ?? "", homeID: record.parentID,
                              runningOn: running[record.id] ?? [], diskSources: sources, definition: properties["definition"]?.stringValue,
                              memoryBytes: Self.int(properties["max_memory_bytes"]) ?? 0, vcpus: Self.int(properties["vcpus"]) ?? 0)
        }
        let members = Set(vmRecords.map(\.id))
        let decisions = stored.filter { members.contains($0.key) }
        var commands: [String: CommandState] = [:]
        for decision in decisions.values {
            guard let id = decision.commandID, let command = try await catalog.command(tenantID: tenantID, id: id) else { continue }
            commands[id] = CommandState(rawValue: command.state)
        }
        return FailoverView(groupID: group.groupID, settings: group.settings, hosts: hosts, otherHomes: otherHomes, vms: vms, decisions: decisions,
                            commands: commands)
    }

    /// A hypervisor with its capacity, the VMs up on it, and whether its host's agent is silent.
    func host(_ record: ResourceRecord) async throws -> FailoverHost {
        let properties = (try? PropertyValue(json: record.propertiesJSON)) ?? .map([])
        var silent = false
        if let platform = record.parentID, let host = try await catalog.resource(tenantID: tenantID, id: platform) {
            silent = host.availability == .down
        }
        var usedMemory: Int64 = 0
        var usedCPUs: Int64 = 0
        var vmIDs: Set<String> = []
        for vm in try await catalog.resources(tenantID: tenantID, query: ResourceQuery(kind: .vm, parentID: record.id)) where vm.availability == .up {
            let vmProperties = (try? PropertyValue(json: vm.propertiesJSON)) ?? .map([])
            usedMemory = usedMemory.addingReportingOverflow(Self.int(vmProperties["max_memory_bytes"]) ?? 0).partialValue
            usedCPUs = usedCPUs.addingReportingOverflow(Self.int(vmProperties["vcpus"]) ?? 0).partialValue
            vmIDs.insert(vm.id)
        }
        // Two hosts of one driver may share a hostname: events name the URI too.
        var name = record.name
        if let uri = properties["uri"]?.stringValue, !name.contains(uri) { name += " (\(uri))" }
        return FailoverHost(id: record.id, name: name, reachable: record.availability == .up, hostSilent: silent,
                            memoryBytes: Self.int(properties["memory_bytes"]), cpus: Self.int(properties["cpus"]),
                            usedMemoryBytes: usedMemory, usedCPUs: usedCPUs, vmIDs: vmIDs)
    }

    static func int(_ value: PropertyValue?) -> Int64? {
        switch value {
        case .int(let number)?: return number
        case .double(let number)? where number.isFinite && abs(number) < 9e18: return Int64(number)
        default: return nil
        }
    }
}
