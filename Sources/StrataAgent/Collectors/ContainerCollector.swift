import StrataCore

/// One container found in the cgroup trees.
public struct ContainerInfo: Sendable, Equatable {
    /// `docker`, `podman`, `containerd` or `lxc`.
    public var runtime: String
    /// The runtime's id (64 hex digits) or, for LXC, the container name.
    public var id: String
    /// Name and image from the runtime's own files, when readable.
    public var name: String?
    /// Image, when known.
    public var image: String?
    /// cgroup v1 directories by controller (`memory`, `cpuacct`, `blkio`), relative to the host root.
    public var v1: [String: String]
    /// cgroup v2 directory, if the container has one.
    public var v2: String?

    /// Display name: the runtime's name, else the short id.
    public var displayName: String { name ?? (runtime == "lxc" ? id : String(id.prefix(12))) }
}

/// Containers from the cgroup trees — v1 controllers under `/sys/fs/cgroup/CONTROLLER` and v2 at
/// `/sys/fs/cgroup` or `/sys/fs/cgroup/unified` (hybrid hosts have both) — with CPU, memory, I/O and
/// process counts, and Docker's name and image from `/var/lib/docker/containers` when readable. Cgroups of
/// VMs (`machine-qemu…` scopes) are not containers and are left out: VMs come from the hypervisor layer.
public struct ContainerCollector: Sendable {
    let fs: HostFS
    /// Containers found by the last cgroup walk (as a registered collector: every `scanEvery` runs and at each refresh).
    var known: [ContainerInfo] = []
    /// Runs since that walk.
    var runsSinceScan: UInt64 = 0
    /// Runs between two walks when no refresh comes first.
    static let scanEvery: UInt64 = 6

    /// A collector reading the host through `fs`.
    public init(fs: HostFS) { self.fs = fs }

    /// The runtime and id a cgroup directory name (with its parent's) stands for, if it is a container's.
    static func identify(name: String, parent: String) -> (runtime: String, id: String)? {
        func hex64(_ text: Substring) -> Bool { text.count == 64 && text.allSatisfy(\.isHexDigit) }
        for (prefix, runtime) in [("docker-", "docker"), ("libpod-", "podman"), ("cri-containerd-", "containerd"), ("crio-", "cri-o")]
            where name.hasPrefix(prefix) && name.hasSuffix(".scope") {
            let id = name.dropFirst(prefix.count).dropLast(6)
            if hex64(id) { return (runtime, String(id)) }
        }
        if parent == "docker", hex64(Substring(name)) { return ("docker", name) }
        if name.hasPrefix("lxc.payload.") { return ("lxc", String(name.dropFirst(12))) }
        if parent == "lxc", !name.isEmpty, !name.hasPrefix("lxc.") { return ("lxc", name) }
        return nil
    }

    /// The cgroup v2 root, if one is mounted.
    var v2Root: String? {
        if fs.exists("/sys/fs/cgroup/cgroup.controllers") { return "/sys/fs/cgroup" }
        if fs.exists("/sys/fs/cgroup/unified/cgroup.controllers") { return "/sys/fs/cgroup/unified" }
        return nil
    }

    /// Every container, found by walking the cgroup trees (four levels deep).
    public func discover() -> [ContainerInfo] {
        var found: [String: ContainerInfo] = [:]
        func walk(_ path: String, depth: Int, visit: (String, String, String) -> Void) {
            guard depth < 5 else { return }
            let parent = String(path.split(separator: "/").last ?? "")
            for name in fs.list(path) where fs.exists(path + "/" + name + "/cgroup.procs") {
                visit(path + "/" + name, name, parent)
                walk(path + "/" + name, depth: depth + 1, visit: visit)
            }
        }
        for controller in ["memory", "cpuacct", "blkio"] where v2Root != "/sys/fs/cgroup" {
            walk("/sys/fs/cgroup/" + controller, depth: 0) { path, name, parent in
                guard let (runtime, id) = Self.identify(name: name, parent: parent) else { return }
                found[runtime + ":" + id, default: ContainerInfo(runtime: runtime, id: id, v1: [:])].v1[controller] = path
            }
        }
        if let root = v2Root {
            walk(root, depth: 0) { path, name, parent in
                guard let (runtime, id) = Self.identify(name: name, parent: parent) else { return }
                found[runtime + ":" + id, default: ContainerInfo(runtime: runtime, id: id, v1: [:])].v2 = path
            }
        }
        return found.values.map { container in
            var container = container
            if container.runtime == "docker", let config = fs.read("/var/lib/docker/containers/\(container.id)/config.v2.json", limit: 1 << 20) {
                container.name = Enrollment.jsonString("Name", in: config).map { String($0.drop { $0 == "/" }) }
                container.image = Enrollment.jsonString("Image", in: config)
            }
            return container
        }.sorted { ($0.runtime, $0.id) < ($1.runtime, $1.id) }
    }

    /// The readings of one container now.
    public func collect(_ container: ContainerInfo, into sink: inout MetricSink) {
        func number(_ path: String) -> Double? { fs.readLine(path).flatMap { Double($0.trimmingSpaces) } }
        var cpu: Double?
        var memory: Double?
        var limit: Double?
        var io: (read: Double, write: Double)?
        var procs: String?
        if let path = container.v2 {
            cpu = fs.read(path + "/cpu.stat").flatMap { parseColonFileSpaces($0)["usage_usec"] }.map { $0 / 1e6 }
            memory = number(path + "/memory.current")
            limit = number(path + "/memory.max")
            if let text = fs.read(path + "/io.stat") {
                var read = 0.0, write = 0.0
                for field in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
                    if field.hasPrefix("rbytes="), let value = Double(field.dropFirst(7)) { read += value }
                    if field.hasPrefix("wbytes="), let value = Double(field.dropFirst(7)) { write += value }
                }
                io = (read, write)
            }
            procs = fs.read(path + "/cgroup.procs")
        }
        if let path = container.v1["cpuacct"], cpu == nil { cpu = number(path + "/cpuacct.usage").map { $0 / 1e9 } }
        if let path = container.v1["memory"] {
            if memory == nil { memory = number(path + "/memory.usage_in_bytes") }
            if limit == nil { limit = number(path + "/memory.limit_in_bytes") }
            if procs == nil { procs = fs.read(path + "/cgroup.procs") }
        }
        if let path = container.v1["blkio"], io == nil, let text = fs.read(path + "/blkio.throttle.io_service_bytes") {
            var read = 0.0, write = 0.0
            for line in text.split(separator: "\n") {
                let fields = line.fields
                guard fields.count == 3, let value = Double(fields[2]) else { continue }
                if fields[1] == "Read" { read += value } else if fields[1] == "Write" { write += value }
            }
            io = (read, write)
        }
        if let cpu { sink.counter("container_cpu_seconds_total", cpu) }
        if let memory { sink.gauge("container_memory_bytes", memory) }
        // "max" (v2) or a huge number (v1) means no limit.
        if let limit, limit < 1e18 { sink.gauge("container_memory_limit_bytes", limit) }
        if let io {
            sink.counter("container_io_read_bytes_total", io.read)
            sink.counter("container_io_write_bytes_total", io.write)
        }
        if let procs { sink.gauge("container_processes", Double(procs.split(separator: "\n").count)) }
    }

    /// `key value` lines (cgroup v2 `cpu.stat`).
    func parseColonFileSpaces(_ text: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.fields
            if fields.count == 2, let value = Double(fields[1]) { result[String(fields[0])] = value }
        }
        return result
    }
}
