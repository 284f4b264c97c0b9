import GRDB
import StrataCore
import StrataInventory

/// What PromQL's cross-layer labels and info series are made from: every resource of a tenant with its lifetime,
/// and the VMs' home history.
extension SQLiteCatalog {
    public func crossLayerDirectory(tenantID: String) async throws -> CrossLayerDirectory {
        try await pool.read { db in
            let resources = try Row.fetchAll(db, sql: "SELECT id, kind, name, parent_id, created_ms, removed_ms FROM resources WHERE tenant_id = ?",
                                             arguments: [tenantID]).compactMap { row -> CrossLayerDirectory.Resource? in
                guard let kind = ResourceKind(rawValue: row["kind"]) else { return nil }
                return CrossLayerDirectory.Resource(id: row["id"], kind: kind, name: row["name"], parentID: row["parent_id"],
                                                    fromMs: row["created_ms"], toMs: row["removed_ms"])
            }
            let homes = try Row.fetchAll(db, sql: "SELECT vm_id, hypervisor_id, from_ms, to_ms FROM vm_homes WHERE tenant_id = ? ORDER BY vm_id, from_ms, id",
                                         arguments: [tenantID]).map { row in
                HomeSpan(vmID: row["vm_id"], hypervisorID: row["hypervisor_id"], fromMs: row["from_ms"], toMs: row["to_ms"])
            }
            return CrossLayerDirectory(resources: resources, homes: homes)
        }
    }
}
