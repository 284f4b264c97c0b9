import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func createGroup(tenantID: String, name: String, members: [String], nowMs: Int64) async throws -> ResourceRecord {
        try await pool.write { db in
            let id = StableID.resource(tenant: tenantID, kind: .group, key: name).description
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM resources WHERE id = ?", arguments: [id]) == nil else {
                throw AccessError.exists("group \(name)")
            }
            try Self.checkMembers(db, tenantID: tenantID, members: members)
            try db.execute(sql: """
                INSERT INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, created_ms, updated_ms)
                VALUES (?, ?, 'group', ?, ?, NULL, '{}', 'unknown', ?, ?)
                """, arguments: [id, tenantID, name, name, nowMs, nowMs])
            try Self.replaceMembers(db, tenantID: tenantID, groupID: id, members: members)
            _ = try Self.insertEvent(db, tenantID: tenantID, resourceID: id, timeMs: nowMs, kind: .discovered, severity: .info,
                                     message: "group \(name) created with \(members.count) members")
            return try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE id = ?", arguments: [id]).flatMap(Self.resourceRecord)!
        }
    }

    public func setGroupMembers(tenantID: String, groupID: String, members: [String], nowMs: Int64) async throws -> [String]? {
        try await pool.write { db in
            guard try Self.isGroup(db, tenantID: tenantID, id: groupID) else { return nil }
            try Self.checkMembers(db, tenantID: tenantID, members: members)
            try Self.replaceMembers(db, tenantID: tenantID, groupID: groupID, members: members)
            try db.execute(sql: "UPDATE resources SET updated_ms = ? WHERE id = ?", arguments: [nowMs, groupID])
            return try String.fetchAll(db, sql: "SELECT resource_id FROM group_members WHERE group_id = ? ORDER BY resource_id",
                                       arguments: [groupID])
        }
    }

    public func groupMembers(tenantID: String, groupID: String) async throws -> [String]? {
        try await pool.read { db in
            guard try Self.isGroup(db, tenantID: tenantID, id: groupID) else { return nil }
            return try String.fetchAll(db, sql: "SELECT resource_id FROM group_members WHERE group_id = ? ORDER BY resource_id",
                                       arguments: [groupID])
        }
    }

    public func grant(tenantID: String, userID: Int64, groupID: String, role: Role, nowMs: Int64) async throws -> Bool {
        try await pool.write { db in
            guard try Self.isGroup(db, tenantID: tenantID, id: groupID),
                  try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE tenant_id = ? AND id = ?", arguments: [tenantID, userID]) != nil
            else { return false }
            try db.execute(sql: """
                INSERT INTO grants (tenant_id, user_id, group_id, role, created_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(user_id, group_id) DO UPDATE SET role = excluded.role
                """, arguments: [tenantID, userID, groupID, role.rawValue, nowMs])
            return true
        }
    }

    public func revokeGrant(tenantID: String, userID: Int64, groupID: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM grants WHERE tenant_id = ? AND user_id = ? AND group_id = ?",
                           arguments: [tenantID, userID, groupID])
            return db.changesCount > 0
        }
    }

    public func grants(tenantID: String, userID: Int64) async throws -> [GroupGrant] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT group_id, role FROM grants WHERE tenant_id = ? AND user_id = ? ORDER BY group_id",
                             arguments: [tenantID, userID]).compactMap(Self.grant)
        }
    }

    public func grants(tenantID: String, userID: Int64, coveringResource resourceID: String) async throws -> [GroupGrant] {
        try await pool.read { db in
            // The resource and its ancestors (bounded, in case of a cycle), then grants on groups holding any of them.
            try Row.fetchAll(db, sql: """
                WITH RECURSIVE chain(id, depth) AS (
                    SELECT ?, 0
                    UNION SELECT r.parent_id, c.depth + 1 FROM resources r JOIN chain c ON r.id = c.id
                    WHERE r.tenant_id = ? AND r.parent_id IS NOT NULL AND c.depth < 32
                )
                SELECT DISTINCT g.group_id, g.role FROM grants g JOIN group_members m ON m.group_id = g.group_id
                WHERE g.tenant_id = ? AND g.user_id = ? AND m.resource_id IN (SELECT id FROM chain)
                ORDER BY g.group_id
                """, arguments: [resourceID, tenantID, tenantID, userID]).compactMap(Self.grant)
        }
    }

    static func grant(_ row: Row) -> GroupGrant? {
        Role(rawValue: row["role"]).map { GroupGrant(groupID: row["group_id"], role: $0) }
    }

    static func isGroup(_ db: Database, tenantID: String, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM resources WHERE tenant_id = ? AND id = ? AND kind = 'group'",
                          arguments: [tenantID, id]) != nil
    }

    static func checkMembers(_ db: Database, tenantID: String, members: [String]) throws {
        var unknown: [String] = []
        for id in members where try Bool.fetchOne(db, sql: "SELECT 1 FROM resources WHERE tenant_id = ? AND id = ?",
                                                  arguments: [tenantID, id]) == nil {
            unknown.append(id)
        }
        guard unknown.isEmpty else { throw GroupError.unknownMembers(unknown) }
    }

    static func replaceMembers(_ db: Database, tenantID: String, groupID: String, members: [String]) throws {
        try db.execute(sql: "DELETE FROM group_members WHERE group_id = ?", arguments: [groupID])
        for id in Set(members) {
            try db.execute(sql: "INSERT INTO group_members (tenant_id, group_id, resource_id) VALUES (?, ?, ?)",
                           arguments: [tenantID, groupID, id])
        }
    }
}
