/// What a cgroup action sets: a freeze, a CPU cap or a memory limit, or takes it away (`nil` limits, `freeze(false)`).
enum CgroupSetting: Sendable, Equatable {
    /// Freeze (`true`) or thaw (`false`).
    case freeze(Bool)
    /// CPU time in percent of one CPU; nil removes the cap.
    case cpu(percent: Int64?)
    /// A memory limit in bytes; nil removes it.
    case memory(bytes: Int64?)

    /// The cgroup v1 controller (and cgroup v2 controller, but for the freezer, which v2 has in its core).
    var controller: String {
        switch self {
        case .freeze: return "freezer"
        case .cpu: return "cpu"
        case .memory: return "memory"
        }
    }

    /// Whether it takes a setting away: the agent's cgroup is then given up (its processes go back to its parent).
    var isRelease: Bool { self == .freeze(false) || self == .cpu(percent: nil) || self == .memory(bytes: nil) }
}

/// Whose processes a cgroup action acts on.
enum CgroupSubject: Sendable, Equatable {
    /// `root` (with `tree`, its descendants too), moved into the agent's cgroup `strata-LABEL`, made below the cgroup
    /// `root` is in.
    case processes(root: Int32, tree: Bool, label: String)
    /// A container's own cgroups (as `ContainerInfo` has them: the v2 directory, v1 directories by controller).
    case container(v2: String?, v1: [String: String])
}

/// A cgroup action, checked and ready: the setting, on whom, and the words after the pids in its message.
struct CgroupAction: Sendable, Equatable {
    var setting: CgroupSetting
    var subject: CgroupSubject
    var what: String
}

/// One mounted cgroup hierarchy an action can use.
enum CgroupHierarchy: Sendable, Equatable {
    /// The unified (v2) hierarchy mounted at `mount`.
    case v2(mount: String)
    /// The v1 hierarchy of `controller`, mounted at `mount`.
    case v1(controller: String, mount: String)

    var mount: String {
        switch self {
        case .v2(let mount), .v1(_, let mount): return mount
        }
    }

    var isV2: Bool {
        if case .v2 = self { return true }
        return false
    }
}

/// The cgroup hierarchies of a host, and the pure rules for using them: which hierarchy an action writes, the agent's
/// cgroup for a set of processes, the values written, and what is refused.
struct CgroupPlan: Sendable, Equatable {
    /// Where cgroup v2 is mounted (`/sys/fs/cgroup`, or `/sys/fs/cgroup/unified` on a hybrid host), nil without it.
    var v2: String?
    /// The controllers v2's root offers (`cgroup.controllers`).
    var v2Controllers: Set<String> = []
    /// v1 hierarchies by controller (`freezer` → `/sys/fs/cgroup/freezer`).
    var v1: [String: String] = [:]

    /// The period of a CPU cap, in microseconds (the kernel's default).
    static let cpuPeriodUs: Int64 = 100_000
    /// The prefix of every cgroup the agent makes.
    static let prefix = "strata-"

    /// The hierarchies to try for `setting`, best first: v2 (always for the freezer, which is in v2's core; for CPU and
    /// memory when v2 offers the controller), then v1's.
    func hierarchies(for setting: CgroupSetting) -> [CgroupHierarchy] {
        var found: [CgroupHierarchy] = []
        if let v2, setting.controller == "freezer" || v2Controllers.contains(setting.controller) { found.append(.v2(mount: v2)) }
        if let mount = v1[setting.controller] { found.append(.v1(controller: setting.controller, mount: mount)) }
        return found
    }

    /// The agent's cgroup for processes whose first one is in `current` (its path in the hierarchy, `/` at the top):
    /// `current` itself when it is already the agent's `strata-LABEL`, else a child of it by that name. `parent` is
    /// where the processes go back when the cgroup is given up. Made below the processes' own cgroup, they stay
    /// under the limits and the accounting of their service or container.
    static func directory(mount: String, current: String, label: String) -> (cgroup: String, parent: String) {
        let trimmed = current.hasSuffix("/") ? String(current.dropLast()) : current
        let name = prefix + label
        if let slash = trimmed.lastIndex(of: "/"), trimmed[trimmed.index(after: slash)...] == name {
            return (mount + trimmed, mount + trimmed[..<slash])
        }
        return (mount + trimmed + "/" + name, mount + trimmed)
    }

    /// A container's directory in `hierarchy`: its v2 one, or its v1 one for the controller, else its directory in
    /// another v1 hierarchy moved to this one (Docker and LXC use the same path in every hierarchy).
    static func containerDirectory(_ hierarchy: CgroupHierarchy, v2: String?, v1: [String: String], mounts: [String: String]) -> String? {
        switch hierarchy {
        case .v2: return v2
        case .v1(let controller, let mount):
            if let own = v1[controller] { return own }
            for (other, path) in v1.sorted(by: { $0.key < $1.key }) {
                guard let otherMount = mounts[other], path.hasPrefix(otherMount + "/") else { continue }
                return mount + path.dropFirst(otherMount.count)
            }
            return nil
        }
    }

    /// Why `cgroup` must not be used, nil when it may: a hierarchy's root, or a cgroup holding the agent (the agent's
    /// own cgroup `agentPath` is it or below it).
    static func refusal(cgroup: String, mount: String, agentPath: String?) -> String? {
        if cgroup == mount || cgroup + "/" == mount { return "\(cgroup) is the root of its cgroup hierarchy; the agent does not freeze or limit a whole host" }
        if let agentPath {
            let agent = mount + (agentPath == "/" ? "" : agentPath)
            if agent == cgroup || agent.hasPrefix(cgroup + "/") {
                return "cgroup \(cgroup) holds the agent itself; the agent does not freeze or limit its own cgroup"
            }
        }
        return nil
    }

    /// The CPU quota per `cpuPeriodUs` for `percent` of one CPU, or why it cannot be: more than the host's `cores`.
    static func cpuQuotaUs(percent: Int64, cores: Int) -> Result<Int64, CommandRefusal> {
        let (limit, overflowLimit) = Int64(max(cores, 1)).multipliedReportingOverflow(by: 100)
        guard percent >= 1, !overflowLimit, percent <= limit else {
            return .failure(CommandRefusal("percent \(percent) is more than this host's \(cores) CPU\(cores == 1 ? "" : "s") (at most \(limit))"))
        }
        let (quota, overflow) = percent.multipliedReportingOverflow(by: cpuPeriodUs / 100)
        return overflow ? .failure(CommandRefusal("percent \(percent) is too large")) : .success(quota)
    }

    /// The files written for `setting` in `hierarchy`, in order, with their values.
    static func writes(_ setting: CgroupSetting, _ hierarchy: CgroupHierarchy, quotaUs: Int64?) -> [(file: String, value: String)] {
        let v2 = hierarchy.isV2
        switch setting {
        case .freeze(let frozen):
            return v2 ? [("cgroup.freeze", frozen ? "1" : "0")] : [("freezer.state", frozen ? "FROZEN" : "THAWED")]
        case .cpu:
            let quota = quotaUs.map(String.init)
            return v2 ? [("cpu.max", "\(quota ?? "max") \(cpuPeriodUs)")]
                : [("cpu.cfs_period_us", String(cpuPeriodUs)), ("cpu.cfs_quota_us", quota ?? "-1")]
        case .memory(let bytes):
            return v2 ? [("memory.high", bytes.map(String.init) ?? "max")] : [("memory.limit_in_bytes", bytes.map(String.init) ?? "-1")]
        }
    }

    /// The settings at their defaults in a v2 cgroup, which the agent may only give up when all of them are.
    static let v2Defaults: [(file: String, value: String)] = [("cgroup.freeze", "0"), ("cpu.max", "max"), ("memory.high", "max")]

    /// The number of CPUs in a `/sys/devices/system/cpu/online` list (`0-3,6`), nil when it is not one.
    static func cpuCount(online: String) -> Int? {
        var count = 0
        for part in online.split(separator: ",") {
            let bounds = part.split(separator: "-").map { Int($0.trimmingSpaces) }
            guard let first = bounds.first, let low = first, bounds.count <= 2 else { return nil }
            let high = bounds.count == 2 ? bounds[1] : low
            guard let high, high >= low, high - low < 1 << 20 else { return nil }
            count += high - low + 1
        }
        return count > 0 ? count : nil
    }

    /// A process's cgroups from `/proc/PID/cgroup` (`4:memory:/a/b`, `0::/c`): the v2 path under `""`, v1 paths by
    /// each controller of their line (`cpu,cpuacct` gives both), named hierarchies (`name=systemd`) left out.
    static func membership(_ text: String) -> [String: String] {
        var paths: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[1].isEmpty {
                paths[""] = String(fields[2])
            } else {
                for controller in fields[1].split(separator: ",") where !controller.hasPrefix("name=") { paths[String(controller)] = String(fields[2]) }
            }
        }
        return paths
    }
}
