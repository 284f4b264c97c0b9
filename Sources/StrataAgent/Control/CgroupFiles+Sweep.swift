import Synchronization

extension CgroupFiles {
    /// Cgroup actions and sweeps take turns: a sweep must never remove a cgroup an action has just made and not yet
    /// filled.
    static let turns = Mutex(())

    /// Labels of the cgroups the agent makes for processes and servers (`CgroupPlan.directory`).
    static let ownLabels = [CgroupPlan.prefix + "pid-", CgroupPlan.prefix + "server-"]

    /// Removes the agent's cgroups whose processes have all ended (a frozen or limited process that exited leaves its
    /// `strata-pid-PID` behind): every directory of a mounted hierarchy named like one, with no process and no child
    /// cgroup. Looks at most `limit` cgroups deep and wide, so a huge tree costs a bounded walk. The paths removed.
    func sweepLeftovers(limit: Int = 20_000, maxDepth: Int = 16) -> [String] {
        let plan = plan()
        let mounts = ([plan.v2].compactMap { $0 } + plan.v1.values.sorted()).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        var removed: [String] = []
        var seen = 0
        for mount in mounts {
            var stack: [(path: String, depth: Int)] = [(mount, 0)]
            while let (path, depth) = stack.popLast(), seen < limit {
                seen += 1
                let children = depth < maxDepth ? fs.list(path).map { path + "/" + $0 }.filter { fs.exists($0 + "/cgroup.procs") } : []
                let name = path.split(separator: "/").last.map(String.init) ?? ""
                if children.isEmpty, Self.ownLabels.contains(where: { name.hasPrefix($0) }), processes(path).isEmpty, remove(path) == nil {
                    removed.append(path)
                }
                stack += children.map { ($0, depth + 1) }
            }
        }
        return removed
    }
}
