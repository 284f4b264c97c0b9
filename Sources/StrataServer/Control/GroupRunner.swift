import Foundation
import Logging
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore

/// Runs one action across a target's resources (docs/control.md "Group actions and schedules"): each resource's
/// command is planned and queued like a single request, at most `concurrency` in flight (`StrataControl.GroupRunPlan`),
/// their states read back from the catalog until every one has ended; the run and its summary are stored at each
/// change. A run the server stopped in the middle is marked `interrupted` at the next start (its queued commands
/// still run, and its items follow them; the rest are not started: `GroupRunner+Restart.swift`).
actor GroupRunner {
    static let defaultConcurrency = 10
    /// How often the states of commands in flight are read.
    static let pollMs = 100
    /// How often a running run is stored at most.
    static let saveEveryMs: Int64 = 500

    let catalog: any Catalog
    let control: ControlService
    let audit: AuditTrail
    let logger: Logger
    let clock: @Sendable () -> Int64
    private var tasks: [String: Task<Void, Never>] = [:]

    init(catalog: any Catalog, control: ControlService, audit: AuditTrail, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.catalog = catalog
        self.control = control
        self.audit = audit
        self.logger = logger
        self.clock = clock
    }

    /// What a group run is asked to do.
    struct Order: Sendable {
        var target: API.ControlTarget
        var action: String
        var parameters: [String: String]
        var concurrency: Int
        var stopOnFailure: Bool
        var deadline: String?
    }

    /// Checks an order whole before anything is resolved or started: its concurrency, its target's shape, its deadline
    /// (each command would refuse a bad one, but the run would start) and its parameters (`ActionCatalog.check`: bounded,
    /// declared by the action — for the target's kind when it names one).
    static func check(_ order: Order) throws {
        guard (1...GroupRunPlan.maxConcurrency).contains(order.concurrency) else {
            throw APIError.badData("concurrency must be from 1 to \(GroupRunPlan.maxConcurrency)")
        }
        try ControlTargets.validate(order.target)
        _ = try ControlService.deadlineMs(order.deadline)
        do {
            try ActionCatalog.check(order.action, parameters: order.parameters, kind: order.target.kind.flatMap(ResourceKind.init(rawValue:)),
                                    serverType: order.target.serverType)
        } catch {
            throw APIError.badData(error.description)
        }
    }

    /// Resolves the targets and starts the run; returns it as first stored (items `pending`).
    func start(_ order: Order, tenantID: String, actor: String) async throws -> API.GroupRun {
        try Self.check(order)
        let resources = try await ControlTargets(catalog: catalog).resolve(order.target, tenantID: tenantID)
        let now = clock()
        let id = StableID(parts: ["group-run", tenantID, String(now), String(UInt64.random(in: 0...UInt64.max))]).description
        var run = API.GroupRun(id: id, target: order.target, action: order.action, parameters: order.parameters, concurrency: order.concurrency,
                               stopOnFailure: order.stopOnFailure, requestedBy: actor, createdMs: now, updatedMs: now, state: "running", summary: [:],
                               items: resources.map { API.GroupRunItem(resourceId: $0.id, resourceName: $0.name, state: "pending") })
        let plan = GroupRunPlan(count: resources.count, concurrency: order.concurrency, stopOnFailure: order.stopOnFailure)
        Self.summarise(&run, plan)
        if plan.isFinished { run.state = "finished" }
        try await save(run, tenantID: tenantID)
        let started = run
        tasks[id] = Task { [weak self] in
            await self?.drive(started, plan: plan, order: order, tenantID: tenantID)
        }
        return run
    }

    /// Waits for a run to end (tests and the CLI's --wait use the API instead).
    func wait(_ id: String) async {
        await tasks[id]?.value
    }

    private func drive(_ initial: API.GroupRun, plan initialPlan: GroupRunPlan, order: Order, tenantID: String) async {
        var run = initial
        var plan = initialPlan
        var inFlight: [String: Int] = [:]
        var (unsaved, savedMs) = (false, clock())
        while !plan.isFinished {
            var changed = false
            for index in plan.startable() {
                changed = true
                let request = API.ControlRequest(resource: run.items[index].resourceId, action: order.action, parameters: order.parameters,
                                                 deadline: order.deadline)
                do {
                    let planned = try await control.plan(request, tenantID: tenantID)
                    let record = try await control.queue(planned, tenantID: tenantID, actor: run.requestedBy)
                    run.items[index].commandId = record.id
                    run.items[index].state = GroupRunPlan.ItemState.running.rawValue
                    inFlight[record.id] = index
                    await audit.record(AuditRecord(tenantID: tenantID, timeMs: record.createdMs, actor: run.requestedBy, action: "control.request",
                                                   target: "resource:\(record.resourceID)", outcome: "ok",
                                                   detail: "\(record.id) \(order.action) (group run \(run.id))", remote: ""))
                } catch {
                    let reason = (error as? APIError)?.message ?? "\(error)"
                    plan.record(index, .refused)
                    run.items[index].message = reason
                    await audit.record(AuditRecord(tenantID: tenantID, timeMs: clock(), actor: run.requestedBy, action: "control.request",
                                                   target: "resource:\(run.items[index].resourceId)", outcome: "refused",
                                                   detail: "\(order.action) (group run \(run.id)): \(reason)", remote: ""))
                }
            }
            if !inFlight.isEmpty {
                let records = (try? await catalog.commands(ids: Array(inFlight.keys))) ?? []
                for record in records {
                    guard let index = inFlight[record.id], let state = CommandState(rawValue: record.state), state.isFinal else { continue }
                    inFlight[record.id] = nil
                    plan.record(index, GroupRunPlan.ItemState(rawValue: state.rawValue) ?? .failed)
                    run.items[index].message = record.message
                    changed = true
                }
            }
            if changed { unsaved = true }
            // Stored at most every `saveEveryMs` while it runs (each save writes every item), and when it ends.
            if unsaved && (plan.isFinished || clock() - savedMs >= Self.saveEveryMs) {
                for index in run.items.indices { run.items[index].state = plan.states[index].rawValue }
                Self.summarise(&run, plan)
                run.updatedMs = clock()
                if plan.isFinished { run.state = plan.stopped ? "stopped" : "finished" }
                try? await save(run, tenantID: tenantID)
                (unsaved, savedMs) = (false, run.updatedMs)
            }
            if !plan.isFinished { try? await Task.sleep(for: .milliseconds(Self.pollMs)) }
            if Task.isCancelled { return }
        }
        tasks[run.id] = nil
    }

    static func summarise(_ run: inout API.GroupRun, _ plan: GroupRunPlan) {
        run.summary = Dictionary(uniqueKeysWithValues: plan.counts.map { ($0.key.rawValue, $0.value) })
        run.summary["total"] = plan.states.count
    }

    func save(_ run: API.GroupRun, tenantID: String) async throws {
        let body = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
        try await catalog.saveGroupRun(StoredBody(tenantID: tenantID, id: run.id, bodyJSON: body), createdMs: run.createdMs,
                                       running: run.state == "running")
    }
}
