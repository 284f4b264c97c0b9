import CStrataVirt

/// The VM actions of the Control capability (`ActionCatalog`'s VM actions), on a connection opened read-write.
extension LibvirtConnection {
    /// Runs `action` on the domain `uuid` (`snapshot`: the snapshot's name, checked by the catalog: letters,
    /// digits, '.', '_', '-'); returns what was done.
    func control(_ action: String, uuid: String, snapshot: String?) throws(LibvirtError) -> String {
        let vm = "VM \(uuid) on \(uri)"
        switch (action, snapshot) {
        case ("start", _): try lifecycle(uuid, strata_virt_create, "start"); return "started \(vm)"
        case ("shutdown", _): try lifecycle(uuid, strata_virt_shutdown, "shutdown"); return "asked the guest of \(vm) to shut down"
        case ("reboot", _): try lifecycle(uuid, strata_virt_reboot, "reboot"); return "asked the guest of \(vm) to reboot"
        case ("reset", _): try lifecycle(uuid, strata_virt_reset, "reset"); return "reset \(vm)"
        case ("suspend", _): try suspend(uuid); return "paused \(vm)"
        case ("resume", _): try resume(uuid); return "resumed \(vm)"
        case ("snapshot-create", let name?):
            try lifecycle(uuid, { strata_virt_snapshot_create($0, name) }, "snapshot \(name) of")
            return "took snapshot \(name) of \(vm)"
        case ("snapshot-revert", let name?):
            try lifecycle(uuid, { strata_virt_snapshot_revert($0, name) }, "revert to snapshot \(name) of")
            return "reverted \(vm) to snapshot \(name)"
        case ("snapshot-delete", let name?):
            try lifecycle(uuid, { strata_virt_snapshot_delete($0, name) }, "delete snapshot \(name) of")
            return "deleted snapshot \(name) of \(vm)"
        default: throw LibvirtError(description: "the agent cannot run \(action) on a VM")
        }
    }

    /// VM failover's start on this (surviving) hypervisor: defines the domain from `definition` unless a domain
    /// with `uuid` is defined here already, then starts it unless it runs; returns what was done.
    func failoverStart(uuid: String, definition: String) throws(LibvirtError) -> String {
        var defined = false
        if let domain = strata_virt_lookup(handle, uuid) {
            var info = strata_virt_domain_info()
            let state = strata_virt_domain_info_of(domain, &info) == 0 ? info.state : -1
            strata_virt_domain_free(domain)
            if state == 1 { return "VM \(uuid) already runs on \(uri): not started again" }
        } else {
            try define(xml: definition)
            defined = true
        }
        try lifecycle(uuid, strata_virt_create, "start")
        return defined ? "defined VM \(uuid) on \(uri) from its last reported definition and started it" : "started VM \(uuid) on \(uri) (already defined here)"
    }

    /// Whether the domain `uuid` has a snapshot called `name`.
    func hasSnapshot(_ uuid: String, named name: String) throws(LibvirtError) -> Bool {
        guard let domain = strata_virt_lookup(handle, uuid) else { throw Self.lastError("no domain \(uuid) on \(uri)") }
        defer { strata_virt_domain_free(domain) }
        return strata_virt_snapshot_exists(domain, name) == 1
    }
}
