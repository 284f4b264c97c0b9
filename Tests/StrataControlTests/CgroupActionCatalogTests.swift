import StrataControl
import Testing

/// The cgroup actions as the catalog declares them: who has which, and how their sizes and percentages are checked
/// (on the server before queuing, on the agent again).
@Suite struct CgroupActionCatalogTests {
    @Test func serversProcessesAndContainersOfferFreezeThrottleAndMemoryLimits() throws {
        let server = ActionCatalog.actions(kind: .server).map(\.name)
        for name in ["freeze", "thaw", "throttle-cpu", "unthrottle-cpu", "limit-memory", "unlimit-memory"] { #expect(server.contains(name), "\(name)") }
        let platform = ActionCatalog.actions(kind: .platform).map(\.name)
        for name in ["freeze-process", "thaw-process", "throttle-process-cpu", "unthrottle-process-cpu", "limit-process-memory", "unlimit-process-memory"] {
            #expect(platform.contains(name), "\(name)")
        }
        #expect(ActionCatalog.actions(kind: .container).map(\.name) == ["freeze", "thaw", "throttle-cpu", "unthrottle-cpu", "limit-memory", "unlimit-memory"])
        let throttle = try ActionCatalog.action("throttle-process-cpu", kind: .platform)
        #expect(throttle.parameters.map(\.name) == ["pid", "percent"])
        #expect(throws: ControlError.missingParameter("pid")) { try ActionCatalog.action("unthrottle-process-cpu", kind: .platform).check([:]) }
    }

    @Test func aCPUPercentIsAWholeNumberFromOneUp() throws {
        let throttle = try ActionCatalog.action("throttle-cpu", kind: .container)
        #expect(try throttle.check(["percent": "20"]).first?.value == "20")
        for bad in ["0", "-5", "20%", "1e2", "102401", "; rm -rf /"] {
            #expect(throws: ControlError.self, "\(bad)") { try throttle.check(["percent": bad]) }
        }
    }

    @Test func aMemorySizeTakesBinarySuffixesAndIsRefusedBelowFourMiB() throws {
        let limit = try ActionCatalog.action("limit-memory", kind: .server)
        #expect(try limit.check(["size": "512M"]).first?.value == "536870912")
        #expect(try limit.check(["size": "4194304"]).first?.value == "4194304")
        #expect(try limit.check(["size": "2G"]).first?.value == "2147483648")
        #expect(throws: ControlError.badParameter("size", "must be from 4194304 bytes (4 MiB) to 1125899906842624 bytes, not 3145728 bytes")) {
            try limit.check(["size": "3M"])
        }
        for bad in ["", "M", "5 M", "5MB", "-8M", "1.5G", "0x100000", "99999999999999T", "99999999999999999999", "$(id)"] {
            #expect(throws: ControlError.self, "\(bad)") { try limit.check(["size": bad]) }
        }
        #expect(ParameterSpec.bytes("8191T") == 8191 << 40)
        #expect(ParameterSpec.bytes("9000000T") == nil, "past Int64 is not a size, it does not trap")
    }
}
