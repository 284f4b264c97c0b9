import GRDB

/// The catalog schema as named, append-only migrations. Never edit a migration that has shipped;
/// add a new one.
enum CatalogMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-21-initial") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                CREATE TABLE users (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    username TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    UNIQUE (tenant_id, username)
                );
                CREATE TABLE tokens (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    user_id INTEGER REFERENCES users(id),
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    token_hash TEXT NOT NULL UNIQUE,
                    created_ms INTEGER NOT NULL,
                    expires_ms INTEGER,
                    revoked_ms INTEGER
                );
                CREATE TABLE resources (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    kind TEXT NOT NULL,
                    natural_key TEXT NOT NULL,
                    name TEXT NOT NULL,
                    parent_id TEXT,
                    properties TEXT NOT NULL DEFAULT '{}',
                    availability TEXT NOT NULL DEFAULT 'unknown',
                    created_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    UNIQUE (tenant_id, kind, natural_key)
                );
                CREATE INDEX resources_by_parent ON resources(tenant_id, parent_id);
                CREATE INDEX resources_by_kind ON resources(tenant_id, kind);
                CREATE TABLE series (
                    id INTEGER PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    resource_id TEXT NOT NULL REFERENCES resources(id),
                    metric TEXT NOT NULL,
                    type TEXT NOT NULL,
                    labels TEXT NOT NULL,
                    created_ms INTEGER NOT NULL
                );
                CREATE INDEX series_by_resource ON series(tenant_id, resource_id, metric);
                CREATE TABLE agents (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    platform_id TEXT,
                    last_sequence INTEGER NOT NULL,
                    interval_ms INTEGER NOT NULL,
                    version TEXT NOT NULL,
                    first_seen_ms INTEGER NOT NULL,
                    last_seen_ms INTEGER NOT NULL,
                    available INTEGER NOT NULL DEFAULT 1
                );
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    resource_id TEXT,
                    time_ms INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    message TEXT NOT NULL,
                    data TEXT NOT NULL DEFAULT '{}'
                );
                CREATE INDEX events_by_resource ON events(tenant_id, resource_id, time_ms);
                CREATE INDEX events_by_time ON events(tenant_id, time_ms);
                """)
        }
        return migrator
    }
}
