/// Resource groups and the roles users hold on them.
///
/// A group is a resource of kind `group` whose members are other resources; a member stands for itself
/// and everything below it. A grant gives a user a role on a group, on top of the user's role in the
/// tenant, so a tenant viewer can be an operator of the web tier only.
public protocol GroupStore: Sendable {
    /// Creates a group resource named `name` with `members` (ids of the tenant's resources). Throws
    /// `AccessError.exists` for a taken name and `GroupError.unknownMembers` for ids not in the tenant.
    func createGroup(tenantID: String, name: String, members: [String], nowMs: Int64) async throws -> ResourceRecord
    /// Replaces a group's members. Nil if there is no such group in the tenant.
    func setGroupMembers(tenantID: String, groupID: String, members: [String], nowMs: Int64) async throws -> [String]?
    /// A group's member ids, or nil if there is no such group in the tenant.
    func groupMembers(tenantID: String, groupID: String) async throws -> [String]?
    /// Gives `userID` `role` on `groupID` (replacing an earlier grant on it). False if user or group is not in the tenant.
    func grant(tenantID: String, userID: Int64, groupID: String, role: Role, nowMs: Int64) async throws -> Bool
    /// Removes a grant. False if there was none.
    func revokeGrant(tenantID: String, userID: Int64, groupID: String) async throws -> Bool
    /// A user's grants.
    func grants(tenantID: String, userID: Int64) async throws -> [GroupGrant]
    /// The user's grants that apply to `resourceID`: on groups containing it or any of its ancestors.
    func grants(tenantID: String, userID: Int64, coveringResource resourceID: String) async throws -> [GroupGrant]
}

/// A role on a group.
public struct GroupGrant: Sendable, Equatable {
    /// The group resource.
    public var groupID: String
    /// The role it grants there.
    public var role: Role

    /// Creates a grant.
    public init(groupID: String, role: Role) {
        self.groupID = groupID
        self.role = role
    }
}

/// Why a group change was refused.
public enum GroupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// These ids are not resources of the tenant.
    case unknownMembers([String])

    public var description: String {
        switch self {
        case .unknownMembers(let ids): return "no such resources in this tenant: \(ids.joined(separator: ", "))"
        }
    }
}
