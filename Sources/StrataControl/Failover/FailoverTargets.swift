/// Target choice for one evaluation: the group's reachable hypervisors whose host's agent reports, with the VM's
/// memory free, and no VM of an anti-affinity set of the VM on them; of those, the one with the most free memory
/// (then the most free vCPUs, then the lowest id). Starts decided earlier but not yet reported by their target count
/// against it, and so does each choice made in the same evaluation.
struct FailoverTargets: Sendable {
    var hosts: [FailoverHost]
    let antiAffinity: [[String]]
    /// Where each VM runs or is about to, for anti-affinity.
    var placedOn: [String: String] = [:]

    init(view: FailoverView) {
        hosts = view.hosts
        antiAffinity = view.settings.antiAffinity
        for host in view.otherHomes + view.hosts {
            for vm in host.vmIDs { placedOn[vm] = host.id }
        }
        for decision in view.decisions.values.sorted(by: { $0.vmID < $1.vmID }) where decision.state == .requested || decision.state == .started {
            guard let target = decision.targetID, let vm = view.vms.first(where: { $0.id == decision.vmID }),
                  hosts.first(where: { $0.id == target })?.vmIDs.contains(vm.id) == false else { continue }
            place(vm, on: target)
        }
    }

    /// Counts `vm` on `hostID` from now on.
    mutating func place(_ vm: FailoverVM, on hostID: String) {
        placedOn[vm.id] = hostID
        guard let index = hosts.firstIndex(where: { $0.id == hostID }) else { return }
        hosts[index].usedMemoryBytes = hosts[index].usedMemoryBytes.addingReportingOverflow(vm.memoryBytes).partialValue
        hosts[index].usedCPUs = hosts[index].usedCPUs.addingReportingOverflow(vm.vcpus).partialValue
        hosts[index].vmIDs.insert(vm.id)
    }

    /// The best target for `vm` other than `excluding`, a summary of why, and why each other host was refused.
    func choose(for vm: FailoverVM, excluding: String) -> (target: FailoverHost?, summary: String, refusals: [String]) {
        let peers = Set(antiAffinity.filter { $0.contains(vm.id) }.flatMap { $0 }).subtracting([vm.id])
        var refusals: [String] = []
        var fitting: [(host: FailoverHost, freeMemory: Int64, freeCPUs: Int64)] = []
        for host in hosts.sorted(by: { $0.id < $1.id }) where host.id != excluding {
            guard host.reachable else { refusals.append("\(host.name) is unreachable"); continue }
            guard !host.hostSilent else { refusals.append("\(host.name)'s agent is silent"); continue }
            guard let memory = host.memoryBytes else { refusals.append("\(host.name) reported no memory size"); continue }
            let free = memory.subtractingReportingOverflow(host.usedMemoryBytes)
            let freeMemory = free.overflow ? 0 : free.partialValue
            guard freeMemory >= vm.memoryBytes else {
                refusals.append("\(host.name) has \(Self.mib(freeMemory)) free, the VM needs \(Self.mib(vm.memoryBytes))")
                continue
            }
            let neighbours = peers.filter { placedOn[$0] == host.id }.sorted()
            guard neighbours.isEmpty else {
                refusals.append("\(host.name) runs \(neighbours.joined(separator: ", ")) of its anti-affinity set")
                continue
            }
            let cpus = (host.cpus ?? 0).subtractingReportingOverflow(host.usedCPUs)
            fitting.append((host, freeMemory, cpus.overflow ? 0 : cpus.partialValue))
        }
        if refusals.isEmpty, fitting.isEmpty { refusals.append("the group has no other hypervisor") }
        let best = fitting.max { a, b in
            (a.freeMemory, a.freeCPUs, b.host.id) < (b.freeMemory, b.freeCPUs, a.host.id)
        }
        guard let best else { return (nil, "", refusals) }
        let others = fitting.count > 1 ? "; \(fitting.count - 1) other candidate(s) had less free capacity" : ""
        let summary = "the most free capacity: \(Self.mib(best.freeMemory)) memory and \(best.freeCPUs) vCPU(s) free, "
            + "the VM needs \(Self.mib(vm.memoryBytes)) and \(vm.vcpus) vCPU(s)\(others)"
        return (best.host, summary, refusals)
    }

    static func mib(_ bytes: Int64) -> String { "\(bytes / 1_048_576) MiB" }
}
