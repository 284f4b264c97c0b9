import Foundation
import StrataAPI
import StrataCatalog
import StrataControl

/// Group runs a stopped server left in the middle. Nothing drives them any more, so at the next start each is marked
/// `interrupted`, its items never started become `interrupted` too, and items whose commands were in flight take their
/// commands' states — at once for those that ended, and when the run is read for those still under way (queued
/// commands still run, or expire at their deadline), so no item stays `running` for good.
extension GroupRunner {
    /// Marks the runs a previous process left running as interrupted, their items settled as far as their commands are.
    func interruptLeftovers() async {
        do {
            for stored in try await catalog.runningGroupRuns() {
                guard var run = try? JSONDecoder().decode(API.GroupRun.self, from: Data(stored.bodyJSON.utf8)) else { continue }
                run.state = "interrupted"
                for index in run.items.indices where run.items[index].state == GroupRunPlan.ItemState.pending.rawValue {
                    run.items[index].state = GroupRunPlan.ItemState.interrupted.rawValue
                    run.items[index].message = "not started: the server stopped during the run"
                }
                Self.settle(&run, commands: try await catalog.commands(ids: run.items.compactMap(\.commandId)))
                run.updatedMs = clock()
                try await save(run, tenantID: stored.tenantID)
            }
        } catch {
            logger.error("cannot mark interrupted group runs", metadata: ["error": "\(error)"])
        }
    }

    /// A stored run as it stands now: an interrupted run's items still `running` follow their commands (stored again
    /// when any ended). Any other run is returned as it is.
    func current(_ run: API.GroupRun, tenantID: String) async throws -> API.GroupRun {
        let running = run.items.filter { $0.state == GroupRunPlan.ItemState.running.rawValue }.compactMap(\.commandId)
        guard run.state == "interrupted", !running.isEmpty else { return run }
        var settled = run
        guard Self.settle(&settled, commands: try await catalog.commands(ids: running)) else { return run }
        settled.updatedMs = clock()
        try await save(settled, tenantID: tenantID)
        return settled
    }

    /// Gives each `running` item the state of its command once that ended, and counts the items again; whether any
    /// item changed.
    @discardableResult
    static func settle(_ run: inout API.GroupRun, commands: [CommandRecord]) -> Bool {
        let ended = Dictionary(commands.compactMap { record in
            CommandState(rawValue: record.state).flatMap { $0.isFinal ? (record.id, (state: $0, message: record.message)) : nil }
        }) { first, _ in first }
        var changed = false
        for index in run.items.indices where run.items[index].state == GroupRunPlan.ItemState.running.rawValue {
            guard let id = run.items[index].commandId, let command = ended[id] else { continue }
            run.items[index].state = (GroupRunPlan.ItemState(rawValue: command.state.rawValue) ?? .failed).rawValue
            run.items[index].message = command.message ?? run.items[index].message
            changed = true
        }
        run.summary = run.items.reduce(into: ["total": run.items.count]) { $0[$1.state, default: 0] += 1 }
        return changed
    }
}
