import GRDB
import StrataInventory

extension CatalogMigrations {
    /// Each VM's home history (issue 21, `strata_placement_info`): which hypervisor it belonged to from when until
    /// when. Placements say who *listed* a VM, and several may at once (an incoming live migration, a standby
    /// definition, a clone); the home is the one it belonged to. Catalogs written before get a history rebuilt from
    /// their placements (`HomeTimeline.rebuild`); from here on every home change is recorded as it happens.
    static func registerHomes(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-03-vm-homes") { db in
            try db.execute(sql: """
                CREATE TABLE vm_homes (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    vm_id TEXT NOT NULL REFERENCES resources(id),
                    hypervisor_id TEXT NOT NULL REFERENCES resources(id),
                    from_ms INTEGER NOT NULL,
                    to_ms INTEGER
                );
                CREATE INDEX vm_homes_by_tenant ON vm_homes(tenant_id, vm_id, from_ms);
                """)
            let vms = try Row.fetchAll(db, sql: """
                SELECT id, tenant_id, parent_id FROM resources WHERE kind = 'vm' AND EXISTS (SELECT 1 FROM placements WHERE vm_id = resources.id)
                """)
            for vm in vms {
                let id: String = vm["id"]
                let listings = try Row.fetchAll(db, sql: "SELECT hypervisor_id, from_ms, to_ms FROM placements WHERE vm_id = ?", arguments: [id])
                    .map { HomeTimeline.Listing(hypervisorID: $0["hypervisor_id"], fromMs: $0["from_ms"], toMs: $0["to_ms"]) }
                for span in HomeTimeline.rebuild(vmID: id, listings: listings, currentHome: vm["parent_id"]) {
                    try db.execute(sql: "INSERT INTO vm_homes (tenant_id, vm_id, hypervisor_id, from_ms, to_ms) VALUES (?, ?, ?, ?, ?)",
                                   arguments: [vm["tenant_id"] as String, id, span.hypervisorID, span.fromMs, span.toMs])
                }
            }
        }
    }
}
