import GRDB

extension CatalogMigrations {
    /// VM failover (issue 20): settings per group; one decision per VM (JSON, its state alongside), stored before its
    /// start is queued.
    static func registerFailover(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-03-failover") { db in
            try db.execute(sql: """
                CREATE TABLE failover_settings (
                    group_id TEXT NOT NULL PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    enabled INTEGER NOT NULL,
                    settings TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE TABLE failover_decisions (
                    vm_id TEXT NOT NULL PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    decision TEXT NOT NULL,
                    state TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL
                );
                CREATE INDEX failover_decisions_by_tenant ON failover_decisions(tenant_id);
                """)
        }
    }
}
