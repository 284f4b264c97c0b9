import Testing
@testable import StrataAgent

struct VirtualizationCase: Sendable, CustomTestStringConvertible {
    let fixture: String
    let roles: [VirtualizationRole]
    var testDescription: String { fixture }
}

let virtualizationCases: [VirtualizationCase] = [
    VirtualizationCase(fixture: "bare-metal", roles: [VirtualizationRole(.physical)]),
    VirtualizationCase(fixture: "kvm-guest", roles: [VirtualizationRole(.guest, "kvm")]),
    VirtualizationCase(fixture: "xen-guest", roles: [VirtualizationRole(.guest, "xen")]),
    VirtualizationCase(fixture: "vmware-guest", roles: [VirtualizationRole(.guest, "vmware")]),
    VirtualizationCase(fixture: "hyperv-guest", roles: [VirtualizationRole(.guest, "hyperv")]),
    VirtualizationCase(fixture: "docker-container", roles: [VirtualizationRole(.container, "docker")]),
    VirtualizationCase(fixture: "lxc-container", roles: [VirtualizationRole(.container, "lxc")]),
    VirtualizationCase(fixture: "kvm-host", roles: [VirtualizationRole(.physical), VirtualizationRole(.hypervisorHost, "kvm")]),
    VirtualizationCase(fixture: "this-machine", roles: [VirtualizationRole(.guest, "kvm"), VirtualizationRole(.container, "docker")]),
]

@Test(arguments: virtualizationCases)
func virtualizationRolesMatchTheRecordedTree(_ testCase: VirtualizationCase) {
    let report = VirtualizationDetector(fs: HostFS(root: FixturePaths.host(testCase.fixture))).detect()
    #expect(report.roles == testCase.roles)
    #expect(!report.evidence.isEmpty, "every decision carries evidence")
}

@Test func thisMachineReportsKVMDeviceWithoutCountingItAsAHypervisorHost() {
    let report = VirtualizationDetector(fs: HostFS(root: FixturePaths.host("this-machine"))).detect()
    #expect(report.evidence.contains("/proc/cpuinfo has the hypervisor flag"))
    #expect(report.evidence.contains("clocksource kvm-clock is available"))
    #expect(report.evidence.contains("/.dockerenv exists"))
    #expect(report.evidence.contains { $0.hasPrefix("/dev/kvm exists but no libvirt") })
    #expect(!report.has(.hypervisorHost))
}

@Test func emptyRootIsPhysicalWithEvidence() {
    let report = VirtualizationDetector(fs: HostFS(root: "/nonexistent-strata-root")).detect()
    #expect(report.roles == [VirtualizationRole(.physical)])
    #expect(report.evidence == ["no hypervisor or container markers found"])
}
