import CStrataVirt

/// Why libvirt could not be used.
public struct LibvirtError: Error, Sendable, CustomStringConvertible {
    /// The message, from libvirt where it gave one.
    public var description: String
}

/// One open libvirt connection (`qemu:///system`, `xen:///`, `lxc:///`, `test:///PATH`). libvirt is loaded
/// with `dlopen` on first use, so agents without hypervisor URIs never map it.
public final class LibvirtConnection: @unchecked Sendable {
    // @unchecked: used by one collection at a time (a run of its hypervisor's collector — never two at once —,
    // or a test that owns it); the runner's copy of the collector while a run is out reads only its URIs.
    /// The connection URI.
    public let uri: String
    let handle: UnsafeMutableRawPointer

    /// Opens `uri`, read-only unless `readWrite` (the test driver's lifecycle calls need it).
    public init(uri: String, readWrite: Bool = false) throws(LibvirtError) {
        var message = [CChar](repeating: 0, count: 256)
        guard strata_virt_load(&message, message.count) == 0 else {
            throw LibvirtError(description: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        guard let handle = strata_virt_open(uri, readWrite ? 0 : 1) else { throw Self.lastError("cannot open \(uri)") }
        self.uri = uri
        self.handle = handle
    }

    deinit { _ = strata_virt_close(handle) }

    /// Whether the connection still works.
    public var isAlive: Bool { strata_virt_is_alive(handle) == 1 }

    static func lastError(_ context: String) -> LibvirtError {
        let message = String(cString: strata_virt_last_error())
        return LibvirtError(description: message.isEmpty ? context : "\(context): \(message)")
    }

    /// The host as the hypervisor sees it.
    public func node() throws(LibvirtError) -> strata_virt_node {
        var node = strata_virt_node()
        guard strata_virt_node_info(handle, &node) == 0 else { throw Self.lastError("node info of \(uri)") }
        return node
    }

    /// Every domain, active or not.
    public func domains() throws(LibvirtError) -> [LibvirtDomain] {
        var list: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        let count = strata_virt_list_domains(handle, &list)
        guard count >= 0 else { throw Self.lastError("listing the domains of \(uri)") }
        defer { strata_virt_domains_free(list, count) }
        var domains: [LibvirtDomain] = []
        for index in 0..<Int(count) {
            guard let domain = list?[index] else { continue }
            var info = strata_virt_domain_info()
            guard strata_virt_domain_info_of(domain, &info) == 0 else { continue }
            var xml = ""
            if let text = strata_virt_domain_xml(domain) {
                xml = String(cString: text)
                strata_virt_free(text)
            }
            let description = LibvirtDomain.Description(xml: xml)
            var interfaces: [(device: String, stats: strata_virt_interface_stats)] = []
            var disks: [(device: String, stats: strata_virt_block_stats)] = []
            if info.state == 1 {
                for nic in description.interfaces {
                    var stats = strata_virt_interface_stats()
                    if let device = nic.target, strata_virt_domain_interface_stats(domain, device, &stats) == 0 { interfaces.append((device, stats)) }
                }
                for disk in description.disks {
                    var stats = strata_virt_block_stats()
                    if strata_virt_domain_block_stats(domain, disk, &stats) == 0 { disks.append((disk, stats)) }
                }
            }
            domains.append(LibvirtDomain(info: info, description: description, interfaceStats: interfaces, blockStats: disks))
        }
        return domains
    }

    // Lifecycle calls, for the test driver's simulated hosts.

    /// Defines a domain from XML.
    public func define(xml: String) throws(LibvirtError) {
        guard let domain = strata_virt_define(handle, xml) else { throw Self.lastError("define on \(uri)") }
        strata_virt_domain_free(domain)
    }

    /// Runs `operation` (create, destroy, undefine) on the domain with `uuid`.
    public func lifecycle(_ uuid: String, _ operation: (UnsafeMutableRawPointer) -> Int32, _ what: String) throws(LibvirtError) {
        guard let domain = strata_virt_lookup(handle, uuid) else { throw Self.lastError("no domain \(uuid) on \(uri)") }
        defer { strata_virt_domain_free(domain) }
        guard operation(domain) == 0 else { throw Self.lastError("\(what) \(uuid) on \(uri)") }
    }

    /// Starts a defined domain.
    public func start(_ uuid: String) throws(LibvirtError) { try lifecycle(uuid, strata_virt_create, "start") }
    /// Stops a running domain at once.
    public func destroy(_ uuid: String) throws(LibvirtError) { try lifecycle(uuid, strata_virt_destroy, "destroy") }
    /// Pauses a running domain (its memory stays; it runs no more until resumed).
    public func suspend(_ uuid: String) throws(LibvirtError) { try lifecycle(uuid, strata_virt_suspend, "suspend") }
    /// Resumes a paused domain.
    public func resume(_ uuid: String) throws(LibvirtError) { try lifecycle(uuid, strata_virt_resume, "resume") }
    /// Removes a domain's definition.
    public func undefine(_ uuid: String) throws(LibvirtError) { try lifecycle(uuid, strata_virt_undefine, "undefine") }

    /// The XML of the domain with `uuid`.
    public func xml(of uuid: String) throws(LibvirtError) -> String {
        guard let domain = strata_virt_lookup(handle, uuid) else { throw Self.lastError("no domain \(uuid) on \(uri)") }
        defer { strata_virt_domain_free(domain) }
        guard let text = strata_virt_domain_xml(domain) else { throw Self.lastError("XML of \(uuid)") }
        defer { strata_virt_free(text) }
        return String(cString: text)
    }
}

/// One domain as read in a collection.
public struct LibvirtDomain: Sendable {
    /// What the domain XML says about its devices.
    public struct Description: Sendable, Equatable {
        /// NICs: MAC address and host-side device.
        public var interfaces: [(mac: String, target: String?)]
        /// Disk target devices (`vda`).
        public var disks: [String]
        /// Disk sources: file paths, block devices, or `pool/volume` and network names, in order.
        public var diskSources: [String]
        /// Domain type (`kvm`, `xen`, `lxc`, `test`).
        public var type: String?

        /// The domain XML as read.
        public var xml: String

        /// Reads the device list of a domain XML.
        public init(xml: String) {
            self.xml = xml
            var interfaces: [(mac: String, target: String?)] = []
            var disks: [String] = []
            var diskSources: [String] = []
            var type: String?
            var section = ""
            for tag in XMLTags(xml).tags {
                switch tag.name {
                case "domain": type = tag.attributes["type"]
                case "disk", "interface", "controller", "graphics", "console", "serial", "channel", "video", "memballoon", "input":
                    section = tag.name
                    if tag.name == "interface" { interfaces.append(("", nil)) }
                case "mac": if section == "interface", !interfaces.isEmpty { interfaces[interfaces.count - 1].mac = tag.attributes["address"]?.lowercased() ?? "" }
                case "source":
                    if section == "disk", let path = tag.attributes["file"] ?? tag.attributes["dev"] ?? tag.attributes["name"]
                        ?? tag.attributes["volume"].map({ (tag.attributes["pool"] ?? "") + "/" + $0 }) {
                        diskSources.append(path)
                    }
                case "target":
                    if section == "disk", let device = tag.attributes["dev"] { disks.append(device) }
                    if section == "interface", !interfaces.isEmpty { interfaces[interfaces.count - 1].target = tag.attributes["dev"] }
                default: continue
                }
            }
            self.interfaces = interfaces.filter { !$0.mac.isEmpty }
            self.disks = disks
            self.diskSources = diskSources
            self.type = type
        }

        public static func == (lhs: Description, rhs: Description) -> Bool {
            lhs.disks == rhs.disks && lhs.type == rhs.type && lhs.interfaces.map(\.mac) == rhs.interfaces.map(\.mac)
                && lhs.interfaces.map(\.target) == rhs.interfaces.map(\.target)
        }
    }

    /// UUID, name, state and counters.
    public var info: strata_virt_domain_info
    /// Devices.
    public var description: Description
    /// Per-NIC counters (running domains).
    public var interfaceStats: [(device: String, stats: strata_virt_interface_stats)]
    /// Per-disk counters (running domains).
    public var blockStats: [(device: String, stats: strata_virt_block_stats)]

    /// The UUID in lower case.
    public var uuid: String { Self.text(info.uuid).lowercased() }
    /// The name.
    public var name: String { Self.text(info.name) }

    static func text<T>(_ tuple: T) -> String {
        withUnsafeBytes(of: tuple) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
