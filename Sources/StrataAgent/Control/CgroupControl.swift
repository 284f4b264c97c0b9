#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Carries out a `CgroupAction` (docs/control.md "What runs"). For processes: the agent's cgroup `strata-LABEL` is
/// made below the cgroup the first process is in, in the first usable hierarchy (`CgroupPlan.hierarchies`); the
/// setting is written, the processes moved in (a second look catches children forked meanwhile) and a freeze read
/// back until the kernel says frozen. Taking a setting away writes the default, moves the processes back to the
/// parent and removes the cgroup. A container's own cgroup is written as it is. Without a usable freezer a freeze
/// falls back to SIGSTOP/SIGCONT and says so.
struct CgroupControl: Sendable {
    let fs: HostFS
    var files: CgroupFiles { CgroupFiles(fs: fs) }

    func run(_ action: CgroupAction) -> ActionOutcome {
        CgroupFiles.turns.withLock { _ in
            _ = files.sweepLeftovers()
            return perform(action)
        }
    }

    /// Removes cgroups of the agent whose processes have ended, between actions.
    func sweep() -> [String] {
        CgroupFiles.turns.withLock { _ in files.sweepLeftovers() }
    }

    private func perform(_ action: CgroupAction) -> ActionOutcome {
        var quota: Int64?
        if case .cpu(let percent?) = action.setting {
            switch CgroupPlan.cpuQuotaUs(percent: percent, cores: files.cpuCount()) {
            case .success(let value): quota = value
            case .failure(let refusal): return ActionOutcome(succeeded: false, message: refusal.description)
            }
        }
        switch action.subject {
        case let .processes(root, tree, label): return processes(root: root, tree: tree, label: label, action, quotaUs: quota)
        case let .container(v2, v1): return container(v2: v2, v1: v1, action, quotaUs: quota)
        }
    }

    /// What the writes did, for a message: `cgroup.freeze 1` or `cpu.cfs_period_us 100000, cpu.cfs_quota_us 20000`.
    static func describe(_ writes: [(file: String, value: String)]) -> String {
        writes.map { "\($0.file) \($0.value)" }.joined(separator: ", ")
    }

    /// Writes `setting`'s files into `cgroup` and reads a freeze back; the words for the message, or why it failed.
    func apply(_ setting: CgroupSetting, _ hierarchy: CgroupHierarchy, cgroup: String, quotaUs: Int64?) -> Result<String, CommandRefusal> {
        let writes = CgroupPlan.writes(setting, hierarchy, quotaUs: quotaUs)
        for write in writes {
            if let failure = files.write(cgroup + "/" + write.file, write.value) { return .failure(CommandRefusal(failure)) }
        }
        var done = "wrote " + Self.describe(writes)
        if case .cpu(let percent?) = setting { done += " (\(percent) % of one CPU)" }
        if case .freeze(let frozen) = setting {
            let v2 = hierarchy.isV2
            let (reading, reached) = files.awaitFreezer(cgroup, v2: v2, frozen: frozen)
            guard reached else {
                return .failure(CommandRefusal("\(cgroup) still says \"\(reading)\" after 5 s (processes in uninterruptible sleep hold a freeze back); "
                                                   + "run it again, or thaw it"))
            }
            done += "; read back \(v2 ? "cgroup.events" : "freezer.state") \"\(reading)\""
        }
        return .success(done)
    }

    /// On processes: in the agent's own cgroup of the first usable hierarchy.
    func processes(root: Int32, tree: Bool, label: String, _ action: CgroupAction, quotaUs: Int64?) -> ActionOutcome {
        let setting = action.setting
        guard let rootCgroups = files.membership(String(root)) else { return ActionOutcome(succeeded: false, message: "no process with pid \(root)") }
        let pids = tree ? ProcessControl(fs: fs).tree(of: root) : [root]
        if pids.contains(getpid()) {
            return ActionOutcome(succeeded: false, message: "the agent itself (pid \(getpid())) is one of the processes\(action.what); it does not freeze or limit itself")
        }
        let agentCgroups = files.membership("self") ?? [:]
        let plan = files.plan()
        var reasons: [String] = []
        for hierarchy in plan.hierarchies(for: setting) {
            let key = hierarchy.isV2 ? "" : setting.controller
            guard let current = rootCgroups[key] else {
                reasons.append("pid \(root) has no cgroup in \(hierarchy.mount)")
                continue
            }
            let (cgroup, parent) = CgroupPlan.directory(mount: hierarchy.mount, current: current, label: label)
            if let refusal = CgroupPlan.refusal(cgroup: cgroup, mount: hierarchy.mount, agentPath: agentCgroups[key]) {
                return ActionOutcome(succeeded: false, message: refusal)
            }
            if setting.isRelease {
                guard cgroup == hierarchy.mount + current else { continue }
                return release(setting, hierarchy, cgroup: cgroup, parent: parent, what: action.what)
            }
            switch enter(setting, hierarchy, cgroup: cgroup, parent: parent, pids: pids, root: root, tree: tree, quotaUs: quotaUs, what: action.what) {
            case .success(let outcome): return outcome
            case .failure(let reason): reasons.append(reason.description)
            }
        }
        let why = reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"
        switch setting {
        case .freeze(let frozen):
            var outcome = PreparedAction.freeze(frozen, root: root, tree: tree, what: action.what).run(fs: fs)
            outcome.message = (frozen ? "no cgroup freezer usable\(why); " : "not in a cgroup of the agent\(why); ") + outcome.message
            return outcome
        case .cpu(nil), .memory(nil):
            return ActionOutcome(succeeded: true, message: "no \(setting.controller) limit of the agent on pid \(root)\(action.what): it is in no strata- cgroup")
        case .cpu, .memory:
            return ActionOutcome(succeeded: false, message: "no cgroup \(setting.controller) controller usable for pid \(root)\(why)")
        }
    }

    /// Makes (or finds) the agent's cgroup, writes the setting, moves the processes in; `.failure` when this hierarchy
    /// cannot be used and the next may be (nothing moved), an outcome once processes were touched.
    func enter(_ setting: CgroupSetting, _ hierarchy: CgroupHierarchy, cgroup: String, parent: String, pids: [Int32], root: Int32, tree: Bool,
               quotaUs: Int64?, what: String) -> Result<ActionOutcome, CommandRefusal> {
        let made: Bool
        switch files.make(cgroup) {
        case .success(let value): made = value
        case .failure(let refusal): return .failure(refusal)
        }
        func giveUp(_ reason: String) -> Result<ActionOutcome, CommandRefusal> {
            if made { _ = files.remove(cgroup) }
            return .failure(CommandRefusal(reason))
        }
        if case .v2 = hierarchy {
            if setting.controller == "freezer", !fs.exists(cgroup + "/cgroup.freeze") { return giveUp("no cgroup.freeze in \(cgroup) (a kernel before 5.2)") }
            if setting.controller != "freezer", let failure = files.enable(setting.controller, below: parent) { return giveUp(failure) }
        }
        // A limit is written before the processes come in; a freeze after, so that the read-back covers them all.
        var applied = ""
        if setting.controller != "freezer" {
            switch apply(setting, hierarchy, cgroup: cgroup, quotaUs: quotaUs) {
            case .success(let done): applied = done
            case .failure(let refusal): return giveUp(refusal.description)
            }
        }
        var (moved, failures) = files.move(pids, to: cgroup)
        if moved.isEmpty { return giveUp("cannot move \(ActionOutcome.pidList(pids)) into \(cgroup): \(failures.joined(separator: ", "))") }
        if tree {
            let more = ProcessControl(fs: fs).tree(of: root).filter { !moved.contains($0) && $0 != getpid() }
            let round = files.move(more, to: cgroup)
            moved += round.moved
            failures += round.failures
        }
        if setting.controller == "freezer" {
            switch apply(setting, hierarchy, cgroup: cgroup, quotaUs: quotaUs) {
            case .success(let done): applied = done
            case .failure(let refusal):
                return .success(ActionOutcome(succeeded: false, message: "moved \(ActionOutcome.pidList(moved))\(what) into cgroup \(cgroup); \(refusal.description)"))
            }
        }
        var message = "\(applied) in cgroup \(cgroup), holding \(ActionOutcome.pidList(moved))\(what)"
        if !failures.isEmpty { message += "; could not move " + failures.joined(separator: ", ") }
        return .success(ActionOutcome(succeeded: failures.isEmpty, message: message))
    }

    /// Takes a setting away from the agent's cgroup: writes the default, then (a v1 hierarchy, or v2 with every
    /// setting at its default) moves its processes back to `parent` and removes it.
    func release(_ setting: CgroupSetting, _ hierarchy: CgroupHierarchy, cgroup: String, parent: String, what: String) -> ActionOutcome {
        let message: String
        switch apply(setting, hierarchy, cgroup: cgroup, quotaUs: nil) {
        case .success(let done): message = "\(done) in cgroup \(cgroup)"
        case .failure(let refusal): return ActionOutcome(succeeded: false, message: refusal.description)
        }
        if case .v2 = hierarchy {
            let busy = CgroupPlan.v2Defaults.filter { file, value in
                guard let now = fs.readLine(cgroup + "/" + file) else { return false }
                return !now.hasPrefix(value)
            }
            if !busy.isEmpty { return ActionOutcome(succeeded: true, message: message + "; kept (\(busy.map(\.file).joined(separator: ", ")) still set)") }
        }
        let inside = files.processes(cgroup)
        let (moved, failures) = files.move(inside, to: parent)
        guard failures.isEmpty else {
            return ActionOutcome(succeeded: true, message: message + "; could not move back " + failures.joined(separator: ", "))
        }
        let back = moved.isEmpty ? "" : "; moved \(ActionOutcome.pidList(moved))\(what) back to \(parent)"
        let removed = files.remove(cgroup).map { "; \($0)" } ?? " and removed it"
        return ActionOutcome(succeeded: true, message: message + back + removed)
    }

    /// On a container: its own cgroup, written as it is (its processes are the runtime's to place).
    func container(v2: String?, v1: [String: String], _ action: CgroupAction, quotaUs: Int64?) -> ActionOutcome {
        let plan = files.plan()
        let agentCgroups = files.membership("self") ?? [:]
        var reasons: [String] = []
        for hierarchy in plan.hierarchies(for: action.setting) {
            guard let cgroup = CgroupPlan.containerDirectory(hierarchy, v2: v2, v1: v1, mounts: plan.v1), fs.exists(cgroup + "/cgroup.procs") else {
                reasons.append("the container has no cgroup in \(hierarchy.mount)")
                continue
            }
            let key = hierarchy.isV2 ? "" : action.setting.controller
            if let refusal = CgroupPlan.refusal(cgroup: cgroup, mount: hierarchy.mount, agentPath: agentCgroups[key]) {
                return ActionOutcome(succeeded: false, message: refusal)
            }
            let file = CgroupPlan.writes(action.setting, hierarchy, quotaUs: quotaUs).last?.file ?? ""
            guard fs.exists(cgroup + "/" + file) else {
                reasons.append("no \(file) in \(cgroup)")
                continue
            }
            let pids = files.processes(cgroup)
            switch apply(action.setting, hierarchy, cgroup: cgroup, quotaUs: quotaUs) {
            case .success(let done):
                return ActionOutcome(succeeded: true, message: "\(done) in cgroup \(cgroup)\(action.what)"
                                         + (pids.isEmpty ? "" : ", holding \(ActionOutcome.pidList(pids))"))
            case .failure(let refusal): return ActionOutcome(succeeded: false, message: refusal.description)
            }
        }
        return ActionOutcome(succeeded: false, message: "no cgroup \(action.setting.controller) usable for the container"
                                 + (reasons.isEmpty ? "" : " (\(reasons.joined(separator: "; ")))"))
    }
}
