import StrataCore
import StrataInventory

/// A control command as stored: what was asked, for which agent, and how far it got.
public struct CommandRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var agentID: String
    public var resourceID: String
    public var resourceKind: ResourceKind
    public var resourceKey: String
    public var action: String
    /// Checked parameters, a JSON object (`LabelsJSON`).
    public var parametersJSON: String
    /// A `CommandState` name.
    public var state: String
    public var requestedBy: String
    public var createdMs: Int64
    public var deadlineMs: Int64
    public var updatedMs: Int64
    public var exitStatus: Int64?
    public var stdout: String?
    public var stderr: String?
    public var durationMs: Int64?
    public var message: String?

    /// A record.
    public init(id: String, tenantID: String, agentID: String, resourceID: String, resourceKind: ResourceKind, resourceKey: String, action: String,
                parametersJSON: String, state: String, requestedBy: String, createdMs: Int64, deadlineMs: Int64, updatedMs: Int64,
                exitStatus: Int64? = nil, stdout: String? = nil, stderr: String? = nil, durationMs: Int64? = nil, message: String? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.agentID = agentID
        self.resourceID = resourceID
        self.resourceKind = resourceKind
        self.resourceKey = resourceKey
        self.action = action
        self.parametersJSON = parametersJSON
        self.state = state
        self.requestedBy = requestedBy
        self.createdMs = createdMs
        self.deadlineMs = deadlineMs
        self.updatedMs = updatedMs
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.durationMs = durationMs
        self.message = message
    }
}

/// An agent's report on a command (the JSON body of `POST /api/agent/v1/commands/{id}`).
public struct CommandReport: Sendable, Equatable, Decodable {
    public var state: String
    public var exitStatus: Int64?
    public var stdout: String?
    public var stderr: String?
    public var durationMs: Int64?
    public var message: String?

    /// A report.
    public init(state: String, exitStatus: Int64? = nil, stdout: String? = nil, stderr: String? = nil, durationMs: Int64? = nil, message: String? = nil) {
        self.state = state
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.durationMs = durationMs
        self.message = message
    }
}

/// Control commands: stored with the event that says they were requested, handed to their agent, moved forward by
/// its reports, expired past their deadline — each change with its timeline event in the same transaction.
public protocol CommandStore: Sendable {
    /// Stores a new command and its `event`.
    func saveCommand(_ command: CommandRecord, event: InventoryEvent) async throws -> [EventRecord]
    func command(tenantID: String, id: String) async throws -> CommandRecord?
    /// A tenant's commands, newest first, optionally of one resource.
    func commands(tenantID: String, resourceID: String?, limit: Int) async throws -> [CommandRecord]
    /// The commands an agent may still run before their deadline, oldest first: queued ones, and delivered ones handed
    /// out at least `redeliverAfterMs` ago without a report (the answer may have been lost, or the agent left it for
    /// later); marks them delivered at `nowMs`.
    func takePendingCommands(agentID: String, nowMs: Int64, redeliverAfterMs: Int64) async throws -> [CommandRecord]
    /// Applies an agent's report when `allowed` accepts the move from the stored state; returns the record as stored
    /// after it (unchanged when refused) and the event of a change, or nil for an id that is not this agent's.
    func applyCommandReport(agentID: String, id: String, report: CommandReport, nowMs: Int64,
                            allowed: @Sendable (_ from: String, _ to: String) -> Bool,
                            event: @Sendable (CommandRecord) -> InventoryEvent?) async throws -> (record: CommandRecord, changed: Bool, events: [EventRecord])?
    /// The agent that reports a platform (nil: none, or revoked).
    func agentID(platformID: String) async throws -> String?
    /// The SHA-256 (hex) of the agent's live credential: the key its commands are signed with.
    func agentCredentialHash(agentID: String, nowMs: Int64) async throws -> String?
    /// Marks pending commands past their deadline `expired`, with `event` for each.
    func expireCommands(nowMs: Int64, event: @Sendable (CommandRecord) -> InventoryEvent) async throws -> (records: [CommandRecord], events: [EventRecord])
}
