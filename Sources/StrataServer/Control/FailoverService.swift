import Logging
import ServiceLifecycle
import StrataCatalog
import StrataControl
import StrataCore
import StrataInventory

/// VM failover's I/O (docs/control.md "VM failover"): once a second, for every group with failover enabled, loads a
/// `FailoverView`, lets `FailoverPolicy` decide, stores its steps in one catalog transaction (decisions before their
/// commands), then queues the starts through `ControlService` to the agent of the target hypervisor's host.
struct FailoverService: Service {
    let catalog: any Catalog
    let control: ControlService
    let sink: EventSink
    let logger: Logger
    let clock: @Sendable () -> Int64
    var intervalMs: Int64 = 1_000

    /// A fenced host's closed placement keeps the VM from retirement this long, while its start is under way.
    static let placementGraceMs: Int64 = 2 * ControlService.defaultDeadlineMs

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .milliseconds(intervalMs))
                await evaluate()
            }
        }
    }

    /// One evaluation of every group with failover enabled.
    func evaluate() async {
        do {
            for group in try await catalog.failoverGroups() {
                do {
                    try await evaluate(group)
                } catch {
                    logger.error("cannot evaluate VM failover", metadata: ["group": "\(group.groupID)", "error": "\(error)"])
                }
            }
        } catch {
            logger.error("cannot list failover groups", metadata: ["error": "\(error)"])
        }
    }

    func evaluate(_ group: FailoverGroup) async throws {
        let view = try await FailoverViewLoader(catalog: catalog, tenantID: group.tenantID).view(of: group)
        let now = clock()
        let steps = FailoverPolicy(view: view, nowMs: now).evaluate()
        guard !steps.isEmpty else { return }
        sink.emit(try await catalog.applyFailover(tenantID: group.tenantID, steps: steps, placementGraceMs: Self.placementGraceMs, nowMs: now))
        for case .start(let start) in steps {
            do {
                try await queue(start, tenantID: group.tenantID)
            } catch {
                // Not queued: the decision fails visibly rather than being queued again every second.
                logger.error("cannot queue a failover start", metadata: ["vm": "\(start.vmID)", "error": "\(error)"])
                guard var decision = try await catalog.failoverDecisions(tenantID: group.tenantID)[start.vmID] else { continue }
                let name = view.vms.first { $0.id == start.vmID }?.name ?? start.vmID
                decision.state = .failed
                decision.note = "start not queued: \(error)"
                decision.updatedMs = clock()
                let failed: [FailoverStep] = [.save(decision), .event(FailoverEvent(vmID: start.vmID, severity: .error,
                                                                                  message: "failover \(decision.id) of vm \(name): start not queued: \(error)"))]
                sink.emit(try await catalog.applyFailover(tenantID: group.tenantID, steps: failed, placementGraceMs: Self.placementGraceMs, nowMs: clock()))
            }
        }
    }

    /// Queues `start` on its target's agent, unless a command with its id exists (queued before a restart).
    func queue(_ start: FailoverStart, tenantID: String) async throws {
        guard try await catalog.command(tenantID: tenantID, id: start.commandID) == nil else { return }
        guard let target = try await catalog.resource(tenantID: tenantID, id: start.targetID), target.removedMs == nil else {
            throw FailoverQueueError.noTarget(start.targetID)
        }
        let action = try ActionCatalog.action("failover-start", kind: .hypervisor)
        let parameters = try action.check(["uuid": start.uuid, "definition": start.definition])
        guard let agentID = try await control.reportingAgent(of: target, tenantID: tenantID) else { throw FailoverQueueError.noAgent(target.name) }
        let plan = ControlService.Plan(resource: target, agentID: agentID, action: action, parameters: parameters,
                                       deadlineMs: clock().addingReportingOverflow(ControlService.defaultDeadlineMs).partialValue)
        _ = try await control.queue(plan, tenantID: tenantID, actor: "failover", id: start.commandID)
    }
}

/// Why a decided start could not be queued.
enum FailoverQueueError: Error, CustomStringConvertible {
    case noTarget(String)
    case noAgent(String)

    var description: String {
        switch self {
        case .noTarget(let id): return "the target hypervisor \(id) is gone from the inventory"
        case .noAgent(let name): return "no agent reports \(name)'s host"
        }
    }
}
