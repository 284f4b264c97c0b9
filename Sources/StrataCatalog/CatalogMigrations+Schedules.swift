import GRDB

extension CatalogMigrations {
    /// Control schedules and group runs (issue 20): whole JSON documents, a schedule's name unique per tenant, the
    /// group runs still running found at start.
    static func registerSchedules(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-12-03-schedules") { db in
            try db.execute(sql: """
                CREATE TABLE schedules (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE UNIQUE INDEX schedules_by_name ON schedules(tenant_id, name);
                CREATE TABLE group_runs (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL PRIMARY KEY,
                    created_ms INTEGER NOT NULL,
                    running INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                CREATE INDEX group_runs_by_tenant ON group_runs(tenant_id, created_ms);
                CREATE INDEX group_runs_running ON group_runs(running);
                """)
        }
    }
}
