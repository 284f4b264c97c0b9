import Foundation
import Logging
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore
import StrataInventory

/// Control requests from people to agents (docs/control.md, docs/protocol.md "Commands"): a request is checked
/// against the resource's declared actions, bound to the agent that reports the resource, signed with that agent's
/// credential hash, stored with a timeline event and handed out on the agent's long poll, which it wakes at once.
/// Agents' reports move the command forward; commands not started by their deadline expire.
actor ControlService {
    static let defaultDeadlineMs: Int64 = 300_000
    static let maxDeadlineMs: Int64 = 86_400_000
    static let maxWaitMs: Int64 = 30_000
    /// A long poll reads the store at least this often, so a command queued through another server is not missed for long.
    static let recheckMs: Int64 = 1_000
    /// A command handed out without a report since is handed out again after this long (its answer may have been
    /// lost, or the agent left it until its resource is free) — not at once, which would hand the agent the command
    /// it has just started and keep its next fetch from waiting for new work.
    static let redeliverAfterMs: Int64 = 2_000
    static let maxOutputBytes = 64 << 10

    let catalog: any Catalog
    let sink: EventSink
    let logger: Logger
    let clock: @Sendable () -> Int64
    private var waiters: [String: [Int: CheckedContinuation<Void, Never>]] = [:]
    private var nextWaiter = 0
    /// Live-mode watches (`ControlService+Live.swift`) and the windows last told to each agent.
    var liveWatches = LiveWatches()
    var liveNotices = LiveNotices()

    init(catalog: any Catalog, sink: EventSink, logger: Logger, clock: @escaping @Sendable () -> Int64) {
        self.catalog = catalog
        self.sink = sink
        self.logger = logger
        self.clock = clock
    }

    /// What a checked request will do.
    struct Plan: Sendable {
        var resource: ResourceRecord
        var agentID: String
        var action: ActionSpec
        var parameters: [(name: String, value: String)]
        var deadlineMs: Int64
    }

    /// Checks a request: the resource exists in the tenant, offers the action, the parameters are valid and an
    /// agent reports it.
    func plan(_ request: API.ControlRequest, tenantID: String) async throws -> Plan {
        guard let resource = try await catalog.resource(tenantID: tenantID, id: request.resource), resource.removedMs == nil else {
            throw APIError.notFound("no resource \(request.resource) in this tenant")
        }
        let serverType = resource.kind == .server ? (try? PropertyValue(json: resource.propertiesJSON))?["type"]?.stringValue : nil
        let action: ActionSpec
        let parameters: [(name: String, value: String)]
        do {
            action = try ActionCatalog.action(request.action, kind: resource.kind, serverType: serverType)
            parameters = try action.check(request.parameters ?? [:])
        } catch {
            throw APIError.badData(error.description)
        }
        guard !action.systemOnly else { throw APIError.badData("\(action.name) is requested by Strata's VM failover only (docs/control.md \"VM failover\")") }
        let deadline = try Self.deadlineMs(request.deadline)
        guard let agentID = try await reportingAgent(of: resource, tenantID: tenantID) else {
            throw APIError.conflict("no agent reports \(resource.name): control needs the agent of its platform (or of its hypervisor's host)")
        }
        return Plan(resource: resource, agentID: agentID, action: action, parameters: parameters,
                    deadlineMs: clock().addingReportingOverflow(deadline).partialValue)
    }

    /// A command's deadline from now: `text` as a duration from 1s to 24h (`defaultDeadlineMs` when nil), or a 400.
    static func deadlineMs(_ text: String?) throws -> Int64 {
        guard let text else { return defaultDeadlineMs }
        guard let ms = DurationText.milliseconds(text), ms >= 1_000, ms <= maxDeadlineMs else {
            throw APIError.badData("deadline must be a duration from 1s to 24h, such as 5m")
        }
        return ms
    }

    /// The agent of the nearest platform at or above the resource (a VM's is its hypervisor's host).
    func reportingAgent(of resource: ResourceRecord, tenantID: String) async throws -> String? {
        try await reportingPlatform(of: resource, tenantID: tenantID)?.agentID
    }

    /// The nearest platform at or above the resource and its agent; nil when no agent reports one.
    func reportingPlatform(of resource: ResourceRecord, tenantID: String) async throws -> (platform: ResourceRecord, agentID: String)? {
        var current: ResourceRecord? = resource
        var steps = 0
        while let record = current, steps < 16 {
            if record.kind == .platform { return try await catalog.agentID(platformID: record.id).map { (record, $0) } }
            guard let parent = record.parentID else { return nil }
            current = try await catalog.resource(tenantID: tenantID, id: parent)
            steps += 1
        }
        return nil
    }

    /// Stores a planned command for `actor` and wakes its agent; `id` when the requester chose it (VM failover derives
    /// it from its decision).
    func queue(_ plan: Plan, tenantID: String, actor: String, id chosen: String? = nil) async throws -> CommandRecord {
        let now = clock()
        let id = chosen ?? StableID(parts: ["command", tenantID, String(now), String(UInt64.random(in: 0...UInt64.max))]).description
        let parameters = Dictionary(plan.parameters.map { ($0.name, $0.value) }) { first, _ in first }
        let record = CommandRecord(id: id, tenantID: tenantID, agentID: plan.agentID, resourceID: plan.resource.id, resourceKind: plan.resource.kind,
                                   resourceKey: plan.resource.naturalKey, action: plan.action.name,
                                   parametersJSON: LabelsJSON.encode(Labels(parameters.map { Label($0.key, $0.value) })), state: CommandState.queued.rawValue,
                                   requestedBy: actor, createdMs: now, deadlineMs: plan.deadlineMs, updatedMs: now)
        let text = plan.parameters.isEmpty ? "" : " (" + plan.parameters.map { "\($0.name)=\($0.value.utf8.count > 200 ? "(\($0.value.utf8.count) bytes)" : $0.value)" }.joined(separator: ", ") + ")"
        sink.emit(try await catalog.saveCommand(record, event: InventoryEvent(resourceID: plan.resource.id, kind: .control,
                                                                              message: "control \(plan.action.name)\(text) requested by \(actor)")))
        wake(plan.agentID)
        return record
    }

    /// One answer to an agent's fetch: its commands, signed, and its live window (nil when it has none).
    struct AgentFetch: Sendable {
        var commands: [(record: CommandRecord, signature: String)]
        var live: LiveWindow?
    }

    /// The commands `agentID` may run, signed, with its live window; waits up to `waitMs` for a command or a change of
    /// the live window when there is neither.
    func fetch(agentID: String, waitMs: Int64) async throws -> AgentFetch {
        let deadline = clock().addingReportingOverflow(min(max(0, waitMs), Self.maxWaitMs)).partialValue
        while true {
            let now = clock()
            let pending = try await catalog.takePendingCommands(agentID: agentID, nowMs: now, redeliverAfterMs: Self.redeliverAfterMs)
            if !pending.isEmpty {
                guard let key = try await catalog.agentCredentialHash(agentID: agentID, nowMs: now) else { return AgentFetch(commands: []) }
                return AgentFetch(commands: pending.map { ($0, Self.wire($0).signature(key: key)) }, live: tellLive(agentID: agentID, nowMs: now))
            }
            let left = deadline - now
            guard left > 0, !Task.isCancelled, !liveChanged(agentID: agentID, nowMs: now) else {
                return AgentFetch(commands: [], live: tellLive(agentID: agentID, nowMs: now))
            }
            await waitForWork(agentID: agentID, timeoutMs: min(left, Self.recheckMs))
        }
    }

    /// The signed form of a stored command.
    static func wire(_ record: CommandRecord) -> ControlCommand {
        ControlCommand(id: record.id, agentID: record.agentID, resourceKind: record.resourceKind, resourceKey: record.resourceKey, action: record.action,
                       parameters: LabelsJSON.decode(record.parametersJSON).pairs.map { ($0.name, $0.value) }, issuedMs: record.createdMs,
                       deadlineMs: record.deadlineMs)
    }

    /// Applies an agent's report; nil for a command that is not the agent's.
    func report(agentID: String, id: String, report: CommandReport) async throws -> (record: CommandRecord, changed: Bool)? {
        var report = report
        report.stdout = report.stdout.map { Self.bounded($0) }
        report.stderr = report.stderr.map { Self.bounded($0) }
        report.message = report.message.map { Self.bounded($0, bytes: 4_096) }
        guard let result = try await catalog.applyCommandReport(
            agentID: agentID, id: id, report: report, nowMs: clock(),
            allowed: { from, to in
                guard let from = CommandState(rawValue: from), let to = CommandState(rawValue: to) else { return false }
                return from.allows(to)
            },
            event: { record in Self.event(record) }) else { return nil }
        sink.emit(result.events)
        return (result.record, result.changed)
    }

    /// Expires pending commands past their deadline.
    func expire() async {
        do {
            let result = try await catalog.expireCommands(nowMs: clock()) { record in
                InventoryEvent(resourceID: record.resourceID, kind: .control, severity: .warning,
                               message: "control \(record.action) expired: its agent did not start it by its deadline")
            }
            sink.emit(result.events)
        } catch {
            logger.error("cannot expire control commands", metadata: ["error": "\(error)"])
        }
    }

    /// The timeline event of a reported state (nil for the steps in between).
    static func event(_ record: CommandRecord) -> InventoryEvent? {
        guard let state = CommandState(rawValue: record.state) else { return nil }
        let detail = record.message.map { ": \($0)" } ?? ""
        switch state {
        case .running:
            return InventoryEvent(resourceID: record.resourceID, kind: .control, message: "control \(record.action) started")
        case .succeeded:
            return InventoryEvent(resourceID: record.resourceID, kind: .control, message: "control \(record.action) succeeded\(detail)")
        case .failed, .refused, .interrupted:
            let exit = record.exitStatus.map { " (exit status \($0))" } ?? ""
            return InventoryEvent(resourceID: record.resourceID, kind: .control, severity: .error,
                                  message: "control \(record.action) \(state.rawValue)\(exit)\(detail)")
        default:
            return nil
        }
    }

    /// Text cut to `bytes` UTF-8 bytes at a character boundary.
    static func bounded(_ text: String, bytes: Int = maxOutputBytes) -> String {
        guard text.utf8.count > bytes else { return text }
        var cut = ""
        var size = 0
        for character in text {
            size += character.utf8.count
            guard size <= bytes else { break }
            cut.append(character)
        }
        return cut
    }

    private func waitForWork(agentID: String, timeoutMs: Int64) async {
        nextWaiter += 1
        let token = nextWaiter
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters[agentID, default: [:]][token] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(timeoutMs))
                await self?.timeout(agentID: agentID, token: token)
            }
        }
    }

    private func timeout(agentID: String, token: Int) {
        waiters[agentID]?.removeValue(forKey: token)?.resume()
    }

    func wake(_ agentID: String) {
        for continuation in (waiters.removeValue(forKey: agentID) ?? [:]).values { continuation.resume() }
    }
}
