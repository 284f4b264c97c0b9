/// Decides a platform's virtualization roles from files only (no CPUID, no shelling out), so every rule
/// can be tested on a recorded tree.
///
/// Sources, strongest first: SMBIOS strings in /sys/class/dmi/id; /sys/hypervisor/type and
/// /proc/xen/capabilities; the `hypervisor` CPU flag with the available clocksources; container
/// markers (/.dockerenv, /run/.containerenv, PID 1's `container=` variable, /run/systemd/container,
/// PID 1's cgroup path); /dev/kvm together with a libvirt installation for a hypervisor host.
public struct VirtualizationDetector: Sendable {
    let fs: HostFS

    /// Creates a detector reading through `fs`.
    public init(fs: HostFS) { self.fs = fs }

    /// Runs every rule and returns the roles with their evidence.
    public func detect() -> VirtualizationReport {
        var roles: [VirtualizationRole] = []
        var evidence: [String] = []
        func add(_ role: VirtualizationRole) {
            if !roles.contains(role) { roles.append(role) }
        }

        let xenDom0 = fs.read("/proc/xen/capabilities")?.contains("control_d") ?? false
        if let guest = guestTechnology(evidence: &evidence, xenDom0: xenDom0) { add(VirtualizationRole(.guest, guest)) }
        if let container = containerTechnology(evidence: &evidence) { add(VirtualizationRole(.container, container)) }
        for host in hypervisorTechnologies(evidence: &evidence, xenDom0: xenDom0) {
            add(VirtualizationRole(.hypervisorHost, host))
        }
        if !roles.contains(where: { $0.kind == .guest || $0.kind == .container }) {
            roles.insert(VirtualizationRole(.physical), at: 0)
            evidence.append("no hypervisor or container markers found")
        }
        return VirtualizationReport(roles: roles, evidence: evidence)
    }

    /// Vendor strings in SMBIOS and what they mean.
    static let dmiVendors: [(needle: String, technology: String)] = [
        ("KVM", "kvm"), ("QEMU", "kvm"), ("OpenStack", "kvm"), ("Google", "kvm"), ("Amazon EC2", "kvm"),
        ("VMware", "vmware"), ("VMW", "vmware"), ("innotek GmbH", "virtualbox"), ("VirtualBox", "virtualbox"),
        ("Xen", "xen"), ("Bochs", "bochs"), ("Parallels", "parallels"), ("BHYVE", "bhyve"),
        ("Apple Virtualization", "apple"),
    ]

    private func guestTechnology(evidence: inout [String], xenDom0: Bool) -> String? {
        let dmiFiles = ["sys_vendor", "product_name", "board_vendor", "bios_vendor", "chassis_vendor"]
        for file in dmiFiles {
            guard let value = fs.readLine("/sys/class/dmi/id/\(file)") else { continue }
            if value == "Microsoft Corporation",
               fs.readLine("/sys/class/dmi/id/product_name") == "Virtual Machine" {
                evidence.append("SMBIOS \(file) is \"Microsoft Corporation\" with product \"Virtual Machine\"")
                return "hyperv"
            }
            for vendor in Self.dmiVendors where value.contains(vendor.needle) {
                if vendor.technology == "xen" && xenDom0 { continue }
                evidence.append("SMBIOS \(file) is \"\(value)\"")
                return vendor.technology
            }
        }
        if let type = fs.readLine("/sys/hypervisor/type") {
            if type == "xen" && xenDom0 {
                evidence.append("/proc/xen/capabilities has control_d: this is Xen dom0, not a guest")
            } else {
                evidence.append("/sys/hypervisor/type is \"\(type)\"")
                return type
            }
        }
        let flags = cpuFlags()
        guard flags.contains("hypervisor") else { return nil }
        if xenDom0 { return nil }
        evidence.append("/proc/cpuinfo has the hypervisor flag")
        let clocksources = fs.readLine("/sys/devices/system/clocksource/clocksource0/available_clocksource")?
            .fields.map(String.init) ?? []
        let byClock: [(String, String)] = [("kvm-clock", "kvm"), ("xen", "xen"), ("hyperv_clocksource_tsc_page", "hyperv"),
                                           ("hyperv_clocksource_msr", "hyperv"), ("vmware", "vmware")]
        for (clock, technology) in byClock where clocksources.contains(where: { $0.hasPrefix(clock) }) {
            evidence.append("clocksource \(clock) is available")
            return technology
        }
        return "unknown"
    }

    private func containerTechnology(evidence: inout [String]) -> String? {
        if fs.exists("/.dockerenv") {
            evidence.append("/.dockerenv exists")
            return "docker"
        }
        if fs.exists("/run/.containerenv") {
            evidence.append("/run/.containerenv exists")
            return "podman"
        }
        if let environ = fs.read("/proc/1/environ", limit: 1 << 20) {
            for entry in environ.split(separator: "\0") where entry.hasPrefix("container=") {
                let value = String(entry.dropFirst("container=".count))
                evidence.append("PID 1 has container=\(value)")
                return value == "lxc-libvirt" ? "lxc" : value
            }
        }
        if let value = fs.readLine("/run/systemd/container") {
            evidence.append("/run/systemd/container is \"\(value)\"")
            return value
        }
        if let cgroup = fs.read("/proc/1/cgroup") {
            let markers: [(String, String)] = [("/docker/", "docker"), ("/docker-", "docker"), ("/lxc/", "lxc"),
                                               ("/lxc.payload", "lxc"), ("/libpod-", "podman"), ("/kubepods", "kubernetes")]
            for (marker, technology) in markers where cgroup.contains(marker) {
                evidence.append("PID 1's cgroup path contains \(marker)")
                return technology
            }
        }
        if fs.exists("/proc/vz") && !fs.exists("/proc/bc") {
            evidence.append("/proc/vz exists without /proc/bc")
            return "openvz"
        }
        return nil
    }

    private func hypervisorTechnologies(evidence: inout [String], xenDom0: Bool) -> [String] {
        var result: [String] = []
        if xenDom0 {
            evidence.append("/proc/xen/capabilities has control_d (Xen dom0)")
            result.append("xen")
        }
        if fs.exists("/dev/kvm") {
            let libvirtMarkers = ["/run/libvirt/libvirt-sock", "/var/run/libvirt/libvirt-sock", "/run/libvirt/virtqemud-sock",
                                  "/usr/sbin/libvirtd", "/usr/sbin/virtqemud", "/etc/libvirt/qemu"]
            if let marker = libvirtMarkers.first(where: { fs.exists($0) }) {
                evidence.append("/dev/kvm exists and libvirt is installed (\(marker))")
                result.append("kvm")
            } else {
                evidence.append("/dev/kvm exists but no libvirt is installed: not counted as a hypervisor host")
            }
        }
        return result
    }

    private func cpuFlags() -> Set<Substring> {
        guard let cpuinfo = fs.read("/proc/cpuinfo") else { return [] }
        for line in cpuinfo.split(separator: "\n") where line.hasPrefix("flags") || line.hasPrefix("Features") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].fields)
        }
        return []
    }
}
