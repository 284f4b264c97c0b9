import ArgumentParser
import StrataAPI
import Foundation

/// `strata placement`: where a VM ran (when), or which VMs ran on a host or hypervisor (when).
struct PlacementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "placement",
        abstract: "Where a VM ran, or which VMs ran on a host or hypervisor, now or at a time.",
        discussion: "Examples: strata placement --vm ID; strata placement --vm ID --at 2h (two hours ago); strata placement --host ID --at 1732200000000")

    @Option(help: "A VM's resource id: its placement history.")
    var vm: String?

    @Option(help: "A host platform's resource id: the VMs on its hypervisors.")
    var host: String?

    @Option(help: "A hypervisor's resource id: the VMs on it.")
    var hypervisor: String?

    @Option(help: "Only what held at this time: Unix ms, or a duration meaning that long ago (2h).")
    var at: String?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard [vm, host, hypervisor].compactMap({ $0 }).count == 1 else { throw ValidationError("give exactly one of --vm, --host, --hypervisor") }
    }

    func run() throws {
        var parameters: [String] = []
        if let vm { parameters.append("vm=" + queryEscape(vm)) }
        if let host { parameters.append("host=" + queryEscape(host)) }
        if let hypervisor { parameters.append("hypervisor=" + queryEscape(hypervisor)) }
        if let at { parameters.append("at=\(try TimeArgument.milliseconds(at))") }
        // A mistyped id is a 404, not an empty table.
        for id in [vm, host, hypervisor].compactMap({ $0 }) { _ = try client.get("/api/v1/resources/" + queryEscape(id), as: API.Resource.self) }
        let placements = try client.get("/api/v1/placements?" + parameters.joined(separator: "&"), as: [API.Placement].self)
        if client.json { return try client.printJSON(placements) }
        printTable(["VM", "NAME", "HYPERVISOR", "HOST", "FROM", "TO"], placements.map { placement in
            [placement.vmId, text(placement.vmName), text(placement.hypervisorName), text(placement.hostName), time(placement.fromMs),
             placement.toMs == nil ? "(now)" : time(placement.toMs)]
        })
    }
}
