#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// What the agent learns about the platform (the OS instance) it runs on.
public struct PlatformInfo: Sendable, Equatable {
    /// Host name.
    public var hostname: String
    /// /etc/machine-id (or D-Bus's copy); empty when unreadable.
    public var machineID: String
    /// SMBIOS system UUID when readable (root only on most systems).
    public var smbiosUUID: String?
    /// The platform's full property tree.
    public var properties: PropertyValue
    /// The virtualization roles and their evidence.
    public var virtualization: VirtualizationReport

    /// The natural key a platform's identity derives from: machine-id, else SMBIOS UUID, else hostname.
    public var identityKey: String {
        if !machineID.isEmpty { return "machine-id:" + machineID }
        if let uuid = smbiosUUID { return "smbios:" + uuid }
        return "hostname:" + hostname
    }
}

/// Discovers hostname, OS, kernel, CPU, memory, block devices, filesystems, NICs, machine-id, SMBIOS
/// identity and virtualization role by reading files under a `HostFS` root.
public struct PlatformDiscovery: Sendable {
    let fs: HostFS

    /// Creates a discovery over `fs`.
    public init(fs: HostFS) { self.fs = fs }

    /// Runs discovery. Cheap enough to repeat; the agent sends properties only when they change.
    public func discover() -> PlatformInfo {
        let hostname = fs.readLine("/proc/sys/kernel/hostname") ?? fs.readLine("/etc/hostname") ?? liveHostname() ?? "unknown"
        let machineID = fs.readLine("/etc/machine-id") ?? fs.readLine("/var/lib/dbus/machine-id") ?? ""
        let dmi = smbios()
        let virtualization = VirtualizationDetector(fs: fs).detect()
        let osRelease = parseKeyValueFile(fs.read("/etc/os-release") ?? fs.read("/usr/lib/os-release") ?? "")

        var entries: [(key: String, value: PropertyValue)] = [
            ("hostname", .string(hostname)),
            ("machine_id", .string(machineID)),
            ("os", .map([
                ("name", .string(osRelease["NAME"] ?? "Linux")),
                ("id", .string(osRelease["ID"] ?? "linux")),
                ("version", .string(osRelease["VERSION_ID"] ?? "")),
                ("pretty_name", .string(osRelease["PRETTY_NAME"] ?? osRelease["NAME"] ?? "Linux")),
            ])),
            ("kernel", .string(fs.readLine("/proc/sys/kernel/osrelease") ?? "")),
            ("arch", .string(fs.readLine("/proc/sys/kernel/arch") ?? liveArchitecture())),
        ]
        entries.append(("cpu", cpu()))
        entries.append(("memory_bytes", .int(memoryBytes())))
        entries.append(("block_devices", .list(blockDevices())))
        entries.append(("filesystems", .list(filesystems())))
        entries.append(("nics", .list(nics())))
        if !dmi.isEmpty { entries.append(("smbios", .map(dmi.map { ($0.key, PropertyValue.string($0.value)) }))) }
        entries.append(("virtualization", virtualization.property))

        let uuid = dmi.first(where: { $0.key == "product_uuid" })?.value.lowercased()
        return PlatformInfo(hostname: hostname, machineID: machineID, smbiosUUID: uuid,
                            properties: .map(entries), virtualization: virtualization)
    }

    private func liveHostname() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func liveArchitecture() -> String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: name.machine) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }

    private func smbios() -> [(key: String, value: String)] {
        let files = ["sys_vendor", "product_name", "product_version", "product_uuid", "product_serial",
                     "board_vendor", "board_name", "bios_vendor", "bios_version", "chassis_vendor"]
        return files.compactMap { file in fs.readLine("/sys/class/dmi/id/\(file)").map { (file, $0) } }
    }

    private func cpu() -> PropertyValue {
        let text = fs.read("/proc/cpuinfo") ?? ""
        var model = ""
        var logical = 0
        var cores = Set<String>()
        var physicalID = "0"
        for (key, value) in parseColonFile(text) {
            switch key {
            case "processor": logical += 1
            case "model name", "Model", "cpu model": if model.isEmpty { model = value }
            case "physical id": physicalID = value
            case "core id": cores.insert(physicalID + "/" + value)
            default: break
            }
        }
        return .map([
            ("model", .string(model)),
            ("logical_cpus", .int(Int64(logical))),
            ("cores", .int(Int64(cores.isEmpty ? logical : cores.count))),
        ])
    }

    private func memoryBytes() -> Int64 {
        let meminfo = parseColonFile(fs.read("/proc/meminfo") ?? "")
        guard let total = meminfo.first(where: { $0.key == "MemTotal" }),
              let kib = Int64(total.value.fields.first ?? "") else { return 0 }
        return kib * 1024
    }

    private func blockDevices() -> [PropertyValue] {
        fs.list("/sys/block").filter { !$0.hasPrefix("loop") && !$0.hasPrefix("ram") && !$0.hasPrefix("zram") }.map { name in
            let sectors = Int64(fs.readLine("/sys/block/\(name)/size") ?? "") ?? 0
            var entries: [(key: String, value: PropertyValue)] = [
                ("name", .string(name)),
                ("size_bytes", .int(sectors * 512)),
                ("rotational", .bool(fs.readLine("/sys/block/\(name)/queue/rotational") == "1")),
            ]
            if let model = fs.readLine("/sys/block/\(name)/device/model") { entries.append(("model", .string(model))) }
            return .map(entries)
        }
    }

    private func filesystems() -> [PropertyValue] {
        MountTable(fs: fs).realFilesystems().map { mount in
            var entries: [(key: String, value: PropertyValue)] = [
                ("mountpoint", .string(mount.mountpoint)),
                ("device", .string(mount.device)),
                ("fstype", .string(mount.fstype)),
            ]
            if let usage = mount.usage(fs: fs) { entries.append(("size_bytes", .int(usage.sizeBytes))) }
            return .map(entries)
        }
    }

    private func nics() -> [PropertyValue] {
        let addresses = fs.isLiveRoot ? InterfaceAddresses.current() : [:]
        return fs.list("/sys/class/net").map { name in
            var entries: [(key: String, value: PropertyValue)] = [("name", .string(name))]
            if let mac = fs.readLine("/sys/class/net/\(name)/address") { entries.append(("mac", .string(mac.lowercased()))) }
            if let state = fs.readLine("/sys/class/net/\(name)/operstate") { entries.append(("state", .string(state))) }
            if let mtu = Int64(fs.readLine("/sys/class/net/\(name)/mtu") ?? "") { entries.append(("mtu", .int(mtu))) }
            entries.append(("virtual", .bool(fs.readLink("/sys/class/net/\(name)")?.contains("/virtual/") ?? false)))
            entries.append(("addresses", .list((addresses[name] ?? []).map { .string($0) })))
            return .map(entries)
        }
    }
}
