import GRDB
import StrataCore

extension SQLiteCatalog {
    /// Deletes a resource's row and every row that names it (series, relations, placements, group memberships,
    /// discoveries, configuration versions, events). Its samples stay in the time-series store until retention.
    static func deleteResourceRows(_ db: Database, id: String) throws {
        for sql in ["DELETE FROM series WHERE resource_id = ?",
                    "DELETE FROM relations WHERE source_id = ?1 OR target_id = ?1",
                    "DELETE FROM placements WHERE vm_id = ?1 OR hypervisor_id = ?1",
                    "DELETE FROM group_members WHERE resource_id = ?1 OR group_id = ?1",
                    "DELETE FROM grants WHERE group_id = ?",
                    "DELETE FROM discoveries WHERE resource_id = ?",
                    "DELETE FROM config_versions WHERE resource_id = ?",
                    "DELETE FROM events WHERE resource_id = ?",
                    "DELETE FROM resources WHERE id = ?"] {
            try db.execute(sql: sql, arguments: [id])
        }
    }
}
