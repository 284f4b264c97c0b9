import Testing
import StrataCore
@testable import StrataAgent

@Test func kvmGuestPlatformIdentityAndInventory() {
    let info = PlatformDiscovery(fs: HostFS(root: FixturePaths.host("kvm-guest"))).discover()
    #expect(info.hostname == "crm-vm")
    #expect(info.machineID == "22222222222222222222222222222222")
    #expect(info.smbiosUUID == "6e1a6f53-2b8c-4c9f-9d6f-2d3d8a1b7c01")
    #expect(info.identityKey == "machine-id:22222222222222222222222222222222")
    let properties = info.properties
    #expect(properties["kernel"] == .string("6.1.0-26-amd64"))
    #expect(properties["os"]?["pretty_name"] == .string("Debian GNU/Linux 12 (bookworm)"))
    #expect(properties["os"]?["version"] == .string("12"))
    #expect(properties["cpu"]?["model"] == .string("Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"))
    #expect(properties["cpu"]?["cores"] == .int(2))
    #expect(properties["memory_bytes"] == .int(4_028_440 * 1024))
    #expect(properties["smbios"]?["sys_vendor"] == .string("QEMU"))
    guard case .list(let disks) = properties["block_devices"], case .list(let nics) = properties["nics"],
          case .list(let filesystems) = properties["filesystems"] else {
        Issue.record("block_devices, nics and filesystems must be lists")
        return
    }
    #expect(disks.count == 1)
    #expect(disks.first?["name"] == .string("vda"))
    #expect(disks.first?["size_bytes"] == .int(41_943_040 * 512))
    #expect(nics.first?["mac"] == .string("52:54:00:ab:cd:01"))
    #expect(nics.first?["state"] == .string("up"))
    #expect(filesystems.map { $0["mountpoint"] } == [.string("/")], "proc, sysfs and /run tmpfs are not storage")
    #expect(properties["virtualization"]?["roles"] == .list([.map([("role", .string("guest")), ("technology", .string("kvm"))])]))
}

@Test func platformWithoutMachineIDFallsBackToSMBIOSThenHostname() {
    var info = PlatformDiscovery(fs: HostFS(root: FixturePaths.host("kvm-guest"))).discover()
    info.machineID = ""
    #expect(info.identityKey == "smbios:6e1a6f53-2b8c-4c9f-9d6f-2d3d8a1b7c01")
    info.smbiosUUID = nil
    #expect(info.identityKey == "hostname:crm-vm")
}

@Test func liveHostDiscoveryMatchesThisMachine() {
    let info = PlatformDiscovery(fs: HostFS()).discover()
    let machineID = HostFS().readLine("/etc/machine-id") ?? ""
    #expect(info.machineID == machineID)
    #expect(!info.hostname.isEmpty)
    #expect(info.properties["cpu"]?["logical_cpus"] != .int(0))
}

@Test func mountPointEscapesAreDecoded() {
    #expect(MountTable.unescape("/mnt/my\\040disk") == "/mnt/my disk")
    #expect(MountTable.unescape("/plain") == "/plain")
}
