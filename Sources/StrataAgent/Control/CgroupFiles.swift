#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The cgroup file system as the control actions use it, under the agent's host root: which hierarchies are mounted,
/// cgroups made and removed, values written and read back, processes moved. Every failure comes back as words naming
/// the file and the kernel's reason.
struct CgroupFiles: Sendable {
    let fs: HostFS

    /// The host's hierarchies: v2 at `/sys/fs/cgroup` or `/sys/fs/cgroup/unified` (hybrid), v1 controllers at
    /// `/sys/fs/cgroup/CONTROLLER` (the same places the container collector reads).
    func plan() -> CgroupPlan {
        var plan = CgroupPlan()
        for mount in ["/sys/fs/cgroup", "/sys/fs/cgroup/unified"] where fs.exists(mount + "/cgroup.controllers") {
            plan.v2 = mount
            plan.v2Controllers = Set((fs.readLine(mount + "/cgroup.controllers") ?? "").fields.map(String.init))
            break
        }
        if plan.v2 != "/sys/fs/cgroup" {
            for controller in ["freezer", "cpu", "memory"] where fs.exists("/sys/fs/cgroup/\(controller)/cgroup.procs") {
                plan.v1[controller] = "/sys/fs/cgroup/" + controller
            }
        }
        return plan
    }

    /// The cgroups of process `pid` (`"self"` for the agent), as `CgroupPlan.membership` reads them.
    func membership(_ pid: String) -> [String: String]? {
        fs.read("/proc/\(pid)/cgroup", limit: 64 << 10).map(CgroupPlan.membership)
    }

    /// The host's CPUs (`/sys/devices/system/cpu/online`, else the ones this process may see).
    func cpuCount() -> Int {
        fs.readLine("/sys/devices/system/cpu/online").flatMap(CgroupPlan.cpuCount) ?? max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    }

    /// The kernel's words for `errno`.
    static func reason() -> String { String(cString: strerror(errno)) }

    /// Writes `value` to the cgroup file `path` in one write; nil when done, else why not.
    func write(_ path: String, _ value: String) -> String? {
        let fd = open(fs.resolve(path), O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return "cannot open \(path): \(Self.reason())" }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        return written == bytes.count ? nil : "cannot write \(value) to \(path): \(Self.reason())"
    }

    /// Makes the cgroup `path`; true when it made it, false when it was there; else why not.
    func make(_ path: String) -> Result<Bool, CommandRefusal> {
        if mkdir(fs.resolve(path), 0o755) == 0 { return .success(true) }
        if errno == EEXIST { return .success(false) }
        return .failure(CommandRefusal("cannot create cgroup \(path): \(Self.reason())"))
    }

    /// Removes the (empty) cgroup `path`; nil when done, else why not.
    func remove(_ path: String) -> String? {
        rmdir(fs.resolve(path)) == 0 ? nil : "cannot remove cgroup \(path): \(Self.reason())"
    }

    /// The processes in the cgroup `path` (its `cgroup.procs`).
    func processes(_ path: String) -> [Int32] {
        (fs.read(path + "/cgroup.procs", limit: 1 << 20) ?? "").split(separator: "\n").compactMap { Int32($0.trimmingSpaces) }
    }

    /// Moves each of `pids` (with all its threads) into the cgroup `path`; the pids moved and the failures.
    func move(_ pids: [Int32], to path: String) -> (moved: [Int32], failures: [String]) {
        var moved: [Int32] = []
        var failures: [String] = []
        for pid in pids {
            if let failure = write(path + "/cgroup.procs", String(pid)) { failures.append("pid \(pid): \(failure)") } else { moved.append(pid) }
        }
        return (moved, failures)
    }

    /// Reads the freezer's state back until it says `frozen` (or thawed), at most about 5 s (250 looks 20 ms apart):
    /// v1's `freezer.state` (`FROZEN`; `FREEZING` while processes are still on their way), v2's `cgroup.events`
    /// (`frozen 1`). The last reading, and whether it is the one wanted.
    func awaitFreezer(_ path: String, v2: Bool, frozen: Bool) -> (reading: String, reached: Bool) {
        var reading = ""
        for look in 0..<250 {
            if look > 0 { usleep(20_000) }
            if v2 {
                let line = (fs.read(path + "/cgroup.events", limit: 4096) ?? "").split(separator: "\n").first { $0.hasPrefix("frozen ") }
                reading = line.map(String.init) ?? "no frozen line in cgroup.events"
                if reading == (frozen ? "frozen 1" : "frozen 0") { return (reading, true) }
            } else {
                reading = fs.readLine(path + "/freezer.state") ?? "unreadable"
                if reading == (frozen ? "FROZEN" : "THAWED") { return (reading, true) }
            }
        }
        return (reading, false)
    }

    /// Whether the v2 `controller` is on for the children of `parent`, turning it on when it is not; nil when it is,
    /// else why not (cgroup v2 gives controllers only to children of cgroups without processes of their own, but for
    /// the root).
    func enable(_ controller: String, below parent: String) -> String? {
        if (fs.readLine(parent + "/cgroup.subtree_control") ?? "").fields.contains(Substring(controller)) { return nil }
        guard let failure = write(parent + "/cgroup.subtree_control", "+" + controller) else { return nil }
        return failure + " (cgroup v2 enables a controller only below a cgroup without processes of its own)"
    }
}

extension ActionOutcome {
    /// `pid 12` or `3 processes (12, 13, 14)`.
    static func pidList(_ pids: [Int32]) -> String {
        pids.count == 1 ? "pid \(pids[0])" : "\(pids.count) processes (\(pids.map(String.init).joined(separator: ", ")))"
    }
}
