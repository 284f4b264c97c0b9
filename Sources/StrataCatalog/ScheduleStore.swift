/// A stored JSON document of a tenant (a schedule or a group run): the catalog keeps it whole; its shape belongs to
/// the server.
public struct StoredBody: Sendable, Equatable {
    public var tenantID: String
    public var id: String
    public var bodyJSON: String

    public init(tenantID: String, id: String, bodyJSON: String) {
        self.tenantID = tenantID
        self.id = id
        self.bodyJSON = bodyJSON
    }
}

/// Control schedules (unique names per tenant) and group runs with their summaries.
public protocol ScheduleStore: Sendable {
    /// A tenant's schedules by name, or every tenant's when nil.
    func schedules(tenantID: String?) async throws -> [StoredBody]
    /// One schedule of the tenant.
    func schedule(tenantID: String, id: String) async throws -> StoredBody?
    /// Stores a schedule; false (nothing stored) when another schedule of the tenant has this name.
    func saveSchedule(_ body: StoredBody, name: String) async throws -> Bool
    /// Replaces a stored schedule only while its body is still `expected` — what the caller read and changed — so a
    /// change or deletion made meanwhile is never undone: the caller reads it again and retries, or gives up.
    func updateSchedule(_ body: StoredBody, name: String, ifBodyIs expected: String) async throws -> ScheduleUpdate
    /// Deletes a schedule; false when there was none.
    func deleteSchedule(tenantID: String, id: String) async throws -> Bool
    /// Stores a group run as it stands; `running` until it ends.
    func saveGroupRun(_ body: StoredBody, createdMs: Int64, running: Bool) async throws
    /// A tenant's group runs, newest first.
    func groupRuns(tenantID: String, limit: Int) async throws -> [StoredBody]
    func groupRun(tenantID: String, id: String) async throws -> StoredBody?
    /// Group runs still marked running (after a restart: interrupted).
    func runningGroupRuns() async throws -> [StoredBody]
    /// The commands with these ids (unknown ids are left out).
    func commands(ids: [String]) async throws -> [CommandRecord]
}

/// How a conditional schedule update (`ScheduleStore.updateSchedule`) ended.
public enum ScheduleUpdate: Sendable, Equatable {
    /// Stored.
    case updated
    /// Nothing stored: the schedule is no longer as read (changed meanwhile).
    case changed
    /// Nothing stored: there is no such schedule (deleted meanwhile).
    case missing
    /// Nothing stored: another schedule of the tenant has the name.
    case nameTaken
}
