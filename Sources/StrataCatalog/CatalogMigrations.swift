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
        migrator.registerMigration("2026-11-22-security") { db in
            try db.execute(sql: """
                ALTER TABLE users ADD COLUMN disabled_ms INTEGER;
                ALTER TABLE tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT '';
                ALTER TABLE tokens ADD COLUMN agent_id TEXT;
                ALTER TABLE tokens ADD COLUMN platform_id TEXT;
                ALTER TABLE tokens ADD COLUMN csrf_hash TEXT;
                ALTER TABLE tokens ADD COLUMN last_used_ms INTEGER;
                UPDATE tokens SET kind = 'enrollment' WHERE kind = 'agent';
                CREATE INDEX tokens_by_agent ON tokens(agent_id);
                CREATE INDEX tokens_by_tenant ON tokens(tenant_id, kind);
                ALTER TABLE agents ADD COLUMN revoked_ms INTEGER;
                ALTER TABLE resources ADD COLUMN platform_id TEXT;
                UPDATE resources SET platform_id = id WHERE kind = 'platform';
                CREATE TABLE audit (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    time_ms INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    target TEXT NOT NULL DEFAULT '',
                    outcome TEXT NOT NULL,
                    detail TEXT NOT NULL DEFAULT '',
                    remote TEXT NOT NULL DEFAULT ''
                );
                CREATE INDEX audit_by_time ON audit(tenant_id, time_ms);
                CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        migrator.registerMigration("2026-11-22-groups") { db in
            try db.execute(sql: """
                CREATE TABLE group_members (
                    tenant_id TEXT NOT NULL,
                    group_id TEXT NOT NULL REFERENCES resources(id),
                    resource_id TEXT NOT NULL,
                    PRIMARY KEY (group_id, resource_id)
                );
                CREATE INDEX group_members_by_resource ON group_members(tenant_id, resource_id);
                CREATE TABLE grants (
                    tenant_id TEXT NOT NULL,
                    user_id INTEGER NOT NULL REFERENCES users(id),
                    group_id TEXT NOT NULL REFERENCES resources(id),
                    role TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (user_id, group_id)
                );
                """)
        }
        migrator.registerMigration("2026-11-22-relations") { db in
            try db.execute(sql: """
                CREATE TABLE relations (
                    tenant_id TEXT NOT NULL,
                    source_id TEXT NOT NULL REFERENCES resources(id),
                    target_id TEXT NOT NULL REFERENCES resources(id),
                    kind TEXT NOT NULL,
                    evidence TEXT NOT NULL DEFAULT '',
                    active INTEGER NOT NULL DEFAULT 1,
                    created_ms INTEGER NOT NULL,
                    seen_ms INTEGER NOT NULL,
                    PRIMARY KEY (source_id, target_id, kind)
                );
                CREATE INDEX relations_by_target ON relations(tenant_id, target_id);
                """)
        }
        migrator.registerMigration("2026-11-22-placements") { db in
            try db.execute(sql: """
                CREATE TABLE placements (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    vm_id TEXT NOT NULL REFERENCES resources(id),
                    hypervisor_id TEXT NOT NULL REFERENCES resources(id),
                    from_ms INTEGER NOT NULL,
                    to_ms INTEGER,
                    grace_ms INTEGER NOT NULL DEFAULT 0
                );
                CREATE INDEX placements_by_vm ON placements(vm_id, from_ms);
                CREATE INDEX placements_by_hypervisor ON placements(hypervisor_id, from_ms);
                """)
        }
        migrator.registerMigration("2026-11-22-discovery-queue") { db in
            try db.execute(sql: """
                CREATE TABLE discovery_policies (
                    tenant_id TEXT PRIMARY KEY NOT NULL,
                    mode TEXT NOT NULL,
                    expected TEXT NOT NULL DEFAULT '[]',
                    updated_ms INTEGER NOT NULL
                );
                CREATE TABLE discoveries (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL,
                    resource_id TEXT NOT NULL REFERENCES resources(id),
                    change TEXT NOT NULL,
                    summary TEXT NOT NULL,
                    status TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    decided_ms INTEGER,
                    decided_by TEXT
                );
                CREATE INDEX discoveries_by_status ON discoveries(tenant_id, status, id);
                ALTER TABLE resources ADD COLUMN approval TEXT NOT NULL DEFAULT 'approved';
                """)
        }
        migrator.registerMigration("2026-11-22-event-search") { db in
            try db.execute(sql: """
                CREATE VIRTUAL TABLE events_fts USING fts5(message, kind, content='events', content_rowid='id');
                INSERT INTO events_fts(rowid, message, kind) SELECT id, message, kind FROM events;
                CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
                    INSERT INTO events_fts(rowid, message, kind) VALUES (new.id, new.message, new.kind);
                END;
                CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
                    INSERT INTO events_fts(events_fts, rowid, message, kind) VALUES ('delete', old.id, old.message, old.kind);
                END;
                CREATE INDEX IF NOT EXISTS events_by_time ON events(tenant_id, time_ms);
                """)
        }
        migrator.registerMigration("2026-11-22-logs-and-configs") { db in
            try db.execute(sql: """
                ALTER TABLE events ADD COLUMN origin TEXT;
                ALTER TABLE events ADD COLUMN source TEXT;
                CREATE UNIQUE INDEX events_by_origin ON events(tenant_id, resource_id, origin) WHERE origin IS NOT NULL;
                CREATE INDEX events_by_kind ON events(tenant_id, kind, time_ms);
                CREATE INDEX events_by_severity ON events(tenant_id, severity, time_ms);
                CREATE TABLE config_versions (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    resource_id TEXT NOT NULL,
                    path TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    content TEXT NOT NULL,
                    hash TEXT NOT NULL,
                    observed_ms INTEGER NOT NULL,
                    added INTEGER NOT NULL DEFAULT 0,
                    removed INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (tenant_id, resource_id, path, version)
                );
                """)
        }
        migrator.registerMigration("2026-12-02-enrollment-approval") { db in
            try db.execute(sql: "ALTER TABLE discoveries ADD COLUMN agent_id TEXT")
        }
        // What each hypervisor last said about a VM it lists (see StrataInventory's VMPlacement); an empty
        // fingerprint (placements from before) matches any definition.
        migrator.registerMigration("2026-12-02-placement-state") { db in
            try db.execute(sql: """
                ALTER TABLE placements ADD COLUMN state TEXT NOT NULL DEFAULT 'running';
                ALTER TABLE placements ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
                ALTER TABLE placements ADD COLUMN seen_ms INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE placements ADD COLUMN running_since_ms INTEGER;
                """)
        }
        // Prometheus's metadata per metric family (remote write), which types the family's series; and the resource
        // each remote-written scrape target (job, instance, host label) joined: its series are found through
        // their labels in the time-series store, with no row per series here.
        migrator.registerMigration("2026-12-02-metric-metadata") { db in
            try db.execute(sql: """
                CREATE TABLE metric_metadata (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    family TEXT NOT NULL,
                    type TEXT NOT NULL,
                    help TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, family)
                );
                CREATE TABLE remote_targets (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    job TEXT NOT NULL,
                    instance TEXT NOT NULL,
                    host TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, job, instance, host)
                );
                CREATE INDEX remote_targets_by_resource ON remote_targets(tenant_id, resource_id);
                """)
        }
        // Removal (by a user, or retirement of servers gone too long) hides a resource and keeps its history;
        // `availability_ms` is when its availability last changed, kept by a trigger wherever it is set.
        migrator.registerMigration("2026-12-02-removal") { db in
            try db.execute(sql: """
                ALTER TABLE resources ADD COLUMN removed_ms INTEGER;
                ALTER TABLE resources ADD COLUMN availability_ms INTEGER NOT NULL DEFAULT 0;
                UPDATE resources SET availability_ms = updated_ms;
                CREATE TRIGGER resources_availability_ms AFTER UPDATE OF availability ON resources
                WHEN NEW.availability != OLD.availability
                BEGIN UPDATE resources SET availability_ms = NEW.updated_ms WHERE id = NEW.id; END;
                """)
        }
        // Alerting (issue 19): definitions as their API bodies, one row per alert (definition × subject) with its
        // lifecycle, the history of its changes, the notification outbox and silences.
        migrator.registerMigration("2026-12-02-alerting") { db in
            try db.execute(sql: """
                CREATE TABLE alert_definitions (
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    id TEXT NOT NULL PRIMARY KEY,
                    name TEXT NOT NULL,
                    body TEXT NOT NULL,
                    origin TEXT NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    UNIQUE (tenant_id, name)
                );
                CREATE TABLE alerts (
                    id TEXT NOT NULL PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    definition_id TEXT NOT NULL,
                    definition_name TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    resource_id TEXT,
                    state TEXT NOT NULL,
                    severity TEXT NOT NULL,
                    flapping INTEGER NOT NULL DEFAULT 0,
                    labels TEXT NOT NULL,
                    annotations TEXT NOT NULL,
                    value REAL,
                    starts_ms INTEGER,
                    updated_ms INTEGER NOT NULL,
                    held_by TEXT,
                    lifecycle TEXT NOT NULL,
                    UNIQUE (definition_id, subject)
                );
                CREATE INDEX alerts_by_tenant ON alerts(tenant_id, updated_ms);
                CREATE TABLE alert_history (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    alert_id TEXT NOT NULL,
                    at_ms INTEGER NOT NULL,
                    from_state TEXT NOT NULL,
                    to_state TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT,
                    notified INTEGER NOT NULL,
                    note TEXT
                );
                CREATE INDEX alert_history_by_alert ON alert_history(alert_id, seq);
                CREATE TABLE notifications (
                    id TEXT NOT NULL PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    alert_id TEXT NOT NULL,
                    target TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    next_attempt_ms INTEGER NOT NULL,
                    last_error TEXT,
                    created_ms INTEGER NOT NULL,
                    delivered_ms INTEGER
                );
                CREATE INDEX notifications_due ON notifications(status, next_attempt_ms);
                CREATE INDEX notifications_by_alert ON notifications(alert_id, created_ms);
                CREATE TABLE silences (
                    tenant_id TEXT NOT NULL,
                    id TEXT NOT NULL PRIMARY KEY,
                    body TEXT NOT NULL,
                    ends_ms INTEGER NOT NULL
                );
                """)
        }
        // Control (issue 20): one row per command, from request to result; the agent's long poll reads the pending
        // ones of its agent.
        migrator.registerMigration("2026-12-02-control") { db in
            try db.execute(sql: """
                CREATE TABLE commands (
                    id TEXT NOT NULL PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    agent_id TEXT NOT NULL,
                    resource_id TEXT NOT NULL,
                    resource_kind TEXT NOT NULL,
                    resource_key TEXT NOT NULL,
                    action TEXT NOT NULL,
                    parameters TEXT NOT NULL,
                    state TEXT NOT NULL,
                    requested_by TEXT NOT NULL,
                    created_ms INTEGER NOT NULL,
                    deadline_ms INTEGER NOT NULL,
                    updated_ms INTEGER NOT NULL,
                    exit_status INTEGER,
                    stdout TEXT,
                    stderr TEXT,
                    duration_ms INTEGER,
                    message TEXT
                );
                CREATE INDEX commands_pending ON commands(agent_id, state);
                CREATE INDEX commands_by_resource ON commands(tenant_id, resource_id, created_ms);
                CREATE INDEX commands_by_tenant ON commands(tenant_id, created_ms);
                """)
        }
        registerSchedules(&migrator)
        registerFailover(&migrator)
        registerHomes(&migrator)
        return migrator
    }
}
