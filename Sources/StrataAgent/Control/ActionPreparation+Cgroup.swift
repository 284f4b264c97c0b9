extension ActionPreparation {
    /// The setting a cgroup action's name and parameters ask for (`freeze`, `throttle-cpu`, `limit-process-memory`…),
    /// nil for an action that is not one, or why its parameter is missing.
    static func cgroupSetting(_ action: String, _ parameters: [String: String]) -> Result<CgroupSetting, CommandRefusal>? {
        switch action {
        case "freeze", "freeze-process": return .success(.freeze(true))
        case "thaw", "thaw-process": return .success(.freeze(false))
        case "unthrottle-cpu", "unthrottle-process-cpu": return .success(.cpu(percent: nil))
        case "unlimit-memory", "unlimit-process-memory": return .success(.memory(bytes: nil))
        case "throttle-cpu", "throttle-process-cpu":
            guard let percent = parameters["percent"].flatMap({ Int64($0) }) else { return .failure(CommandRefusal("parameter percent is required")) }
            return .success(.cpu(percent: percent))
        case "limit-memory", "limit-process-memory":
            guard let bytes = parameters["size"].flatMap({ Int64($0) }) else { return .failure(CommandRefusal("parameter size is required")) }
            return .success(.memory(bytes: bytes))
        default: return nil
        }
    }

    /// A cgroup action on `subject`, nil when `action` is not one.
    static func cgroup(_ action: String, _ parameters: [String: String], subject: CgroupSubject, what: String) -> Result<PreparedAction, CommandRefusal>? {
        cgroupSetting(action, parameters).map { setting in setting.map { PreparedAction.cgroup(CgroupAction(setting: $0, subject: subject, what: what)) } }
    }

    /// A container action: on its own cgroup.
    func prepare(_ action: String, _ parameters: [String: String], container v2: String?, v1: [String: String], key: String) -> Result<PreparedAction, CommandRefusal> {
        Self.cgroup(action, parameters, subject: .container(v2: v2, v1: v1), what: " of container \(key)")
            ?? .failure(CommandRefusal("the agent cannot run \(action) on a container"))
    }
}
