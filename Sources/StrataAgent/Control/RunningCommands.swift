/// The commands the agent is running and the resources they hold, with the watchdog's rule: a command without a
/// result by its deadline is given up (reported `failed`, its late result dropped), but its resource stays held
/// until the action really returns, so a second command cannot pile onto a hung call. Pure; `ControlChannel` keeps it
/// behind a lock.
struct RunningCommands: Sendable, Equatable {
    /// Running ids with their deadline (`Clock.monotonicMs`).
    private(set) var deadlines: [String: Int64] = [:]
    /// Ids given up while their action still runs.
    private(set) var abandoned: Set<String> = []
    /// Resources (`kind key`) a running or abandoned command holds.
    private(set) var resources: Set<String> = []

    /// Whether `id` is running (or was given up and has not returned).
    func holds(_ id: String) -> Bool { deadlines[id] != nil || abandoned.contains(id) }

    /// Takes `resource` for a command about to start; false when another command holds it.
    mutating func reserve(_ resource: String) -> Bool { resources.insert(resource).inserted }

    /// Gives `resource` back (the command was refused before it started).
    mutating func release(_ resource: String) { resources.remove(resource) }

    /// Notes that `id` started, due by `deadlineMs`.
    mutating func started(_ id: String, deadlineMs: Int64) { deadlines[id] = deadlineMs }

    /// Notes that the action of `id` returned and frees its resource; true when its result is still wanted (false:
    /// it was given up, its result goes nowhere).
    mutating func finished(_ id: String, resource: String) -> Bool {
        resources.remove(resource)
        return deadlines.removeValue(forKey: id) != nil && abandoned.remove(id) == nil
    }

    /// Gives up the commands past their deadline at `nowMs`; returns their ids (to be reported failed).
    mutating func giveUp(nowMs: Int64) -> [String] {
        let overdue = deadlines.filter { $0.value < nowMs && !abandoned.contains($0.key) }.map(\.key).sorted()
        abandoned.formUnion(overdue)
        return overdue
    }
}
