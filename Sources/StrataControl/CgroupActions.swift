/// The actions that act through cgroups — freeze, thaw, CPU throttle, memory limit — for servers, one process of the
/// platform (by its `pid`) and containers. The agent puts a server's or process's processes in a cgroup of its own
/// (docs/control.md "What runs"); a container's own cgroup is used as it is.
extension ActionCatalog {
    /// CPU time allowed, in percent of one CPU; the agent refuses more than 100 × its host's CPUs.
    static let cpuPercent = ParameterSpec("percent", .integer(min: 1, max: 102_400),
                                          summary: "CPU time allowed in percent of one CPU, 1 to 100 × the host's CPUs (50: half a CPU, 200: two)")
    /// A memory limit: at least 4 MiB, at most 1 PiB.
    static let memorySize = ParameterSpec("size", .size(min: 4 << 20, max: 1 << 50),
                                          summary: "the memory limit: bytes, or with K, M, G or T (512M), at least 4M")

    /// Throttle and limit actions, named with `prefix` (`""` or `process-`) and with `extra` parameters first.
    static func limitActions(_ prefix: String, _ extra: [ParameterSpec], _ whose: String) -> [ActionSpec] {
        [
            ActionSpec("throttle-\(prefix)cpu", "cap the CPU time of \(whose) (cgroup cpu.max or CFS quota)", parameters: extra + [cpuPercent]),
            ActionSpec("unthrottle-\(prefix)cpu", "remove the agent's CPU cap of \(whose)", parameters: extra),
            ActionSpec("limit-\(prefix)memory", "limit the memory of \(whose) (cgroup memory.high or memory.limit_in_bytes)",
                       parameters: extra + [memorySize]),
            ActionSpec("unlimit-\(prefix)memory", "remove the agent's memory limit of \(whose)", parameters: extra),
        ]
    }

    /// A server's, besides `freeze`/`thaw` (in `serverActions`).
    static let serverCgroupActions = limitActions("", [], "the server's processes")

    /// One process's, by its pid, besides `freeze-process`/`thaw-process`.
    static let processCgroupActions = limitActions("process-", [pid], "one process")

    /// What a container allows through its own cgroup.
    static let containerActions: [ActionSpec] = [
        ActionSpec("freeze", "stop every process of the container where it is (its cgroup's freezer)"),
        ActionSpec("thaw", "let a frozen container run again"),
    ] + limitActions("", [], "the container")
}
