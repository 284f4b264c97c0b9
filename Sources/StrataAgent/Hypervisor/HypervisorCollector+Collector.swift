import StrataCore

/// Hypervisors as a collector; the registry gives each URI its own, so a connection that hangs holds up no
/// other hypervisor.
extension HypervisorCollector: Collector {
    var name: String { "libvirt " + uris.joined(separator: ",") }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 5_000) }

    /// Each URI's hypervisor below the platform, its VMs below it.
    mutating func collect(_ pass: CollectionPass) -> CollectorReport {
        let reports = collect(nowMs: pass.timestampMs, intervalMs: pass.intervalMs)
        var targets: [String: ControlTarget] = [:]
        for hypervisor in reports {
            targets[pass.platformKey + "/libvirt:" + hypervisor.uri] = .hypervisor(uri: hypervisor.uri)
            for vm in hypervisor.vms ?? [] { targets[ResourceKey.vm(uuid: vm.uuid)] = .vm(uri: hypervisor.uri, uuid: vm.uuid) }
        }
        return CollectorReport(resources: reports.map { $0.resource(platformKey: pass.platformKey) },
                               controlTargets: ControlTargets(source: name, targets: targets))
    }

    /// A connection whose last collection still hangs is one that fails: each hypervisor `up` 0, no VMs (so
    /// they raise no alerts).
    func stalled(_ pass: CollectionPass) -> CollectorReport {
        CollectorReport(resources: uris.map { Self.unreachable($0).resource(platformKey: pass.platformKey) })
    }
}

extension HypervisorReport {
    /// This hypervisor as a resource below the platform `platformKey`, with its VMs below it keyed by UUID
    /// alone, so a VM keeps its identity (and series) when it moves to another host. An unreachable
    /// hypervisor has no properties and no VMs.
    func resource(platformKey: String) -> ReportedResource {
        let vms = (vms ?? []).map { vm in
            ReportedResource(kind: .vm, key: ResourceKey.vm(uuid: vm.uuid), name: vm.name, properties: .map(vm.properties), metrics: vm.metrics)
        }
        return ReportedResource(kind: .hypervisor, key: platformKey + "/libvirt:" + uri, name: name,
                                properties: properties.isEmpty ? nil : .map(properties), metrics: metrics, children: vms)
    }
}
