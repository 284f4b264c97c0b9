import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func alertDefinitions(tenantID: String?) async throws -> [AlertDefinitionRecord] {
        try await pool.read { db in
            let sql = "SELECT tenant_id, id, name, body, origin, updated_ms FROM alert_definitions"
                + (tenantID == nil ? "" : " WHERE tenant_id = ?") + " ORDER BY tenant_id, name"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(tenantID.map { [$0] } ?? [])).map { row in
                AlertDefinitionRecord(tenantID: row["tenant_id"], id: row["id"], name: row["name"], bodyJSON: row["body"],
                                      origin: row["origin"], updatedMs: row["updated_ms"])
            }
        }
    }

    public func saveAlertDefinition(_ record: AlertDefinitionRecord) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO alert_definitions (tenant_id, id, name, body, origin, updated_ms) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body, origin = excluded.origin,
                    updated_ms = excluded.updated_ms
                """, arguments: [record.tenantID, record.id, record.name, record.bodyJSON, record.origin, record.updatedMs])
        }
    }

    public func deleteAlertDefinition(tenantID: String, id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM alert_definitions WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            guard db.changesCount > 0 else { return false }
            try db.execute(sql: "DELETE FROM alerts WHERE tenant_id = ? AND definition_id = ?", arguments: [tenantID, id])
            return true
        }
    }

    public func allAlerts() async throws -> [AlertRecord] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM alerts").map(Self.alertRecord) }
    }

    public func alerts(tenantID: String, query: AlertQuery) async throws -> [AlertRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM alerts WHERE tenant_id = ?"
            var arguments: [(any DatabaseValueConvertible)?] = [tenantID]
            if query.states.isEmpty {
                sql += " AND state != 'inactive'"
            } else {
                sql += " AND state IN (" + query.states.map { _ in "?" }.joined(separator: ",") + ")"
                arguments += query.states.map { $0 as (any DatabaseValueConvertible)? }
            }
            if let resourceID = query.resourceID {
                sql += " AND resource_id = ?"
                arguments.append(resourceID)
            }
            if let definitionID = query.definitionID {
                sql += " AND definition_id = ?"
                arguments.append(definitionID)
            }
            if let minimum = query.minimumSeverity {
                let names = EventSeverity.allCases.filter { $0 >= minimum }.map(\.name)
                sql += " AND severity IN (" + names.map { _ in "?" }.joined(separator: ",") + ")"
                arguments += names.map { $0 as (any DatabaseValueConvertible)? }
            }
            sql += " ORDER BY updated_ms DESC, id LIMIT ?"
            arguments.append(max(1, min(query.limit, 10_000)))
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.alertRecord)
        }
    }

    public func alert(tenantID: String, id: String) async throws -> AlertRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alerts WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]).map(Self.alertRecord)
        }
    }

    public func alertHistory(tenantID: String, id: String) async throws -> [AlertHistoryRecord] {
        try await pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM alerts WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) == true else { return [] }
            return try Row.fetchAll(db, sql: "SELECT * FROM alert_history WHERE alert_id = ? ORDER BY seq", arguments: [id]).map { row in
                AlertHistoryRecord(alertID: row["alert_id"], atMs: row["at_ms"], from: row["from_state"], to: row["to_state"],
                                   reason: row["reason"], actor: row["actor"], notified: row["notified"], note: row["note"])
            }
        }
    }

    public func apply(_ changes: [AlertChange], nowMs: Int64) async throws -> [EventRecord] {
        guard !changes.isEmpty else { return [] }
        return try await pool.write { db in
            var events: [EventRecord] = []
            for change in changes {
                let alert = change.alert
                try db.execute(sql: """
                    INSERT INTO alerts (id, tenant_id, definition_id, definition_name, subject, resource_id, state, severity, flapping,
                        labels, annotations, value, starts_ms, updated_ms, held_by, lifecycle)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET state = excluded.state, severity = excluded.severity, flapping = excluded.flapping,
                        labels = excluded.labels, annotations = excluded.annotations, value = excluded.value, starts_ms = excluded.starts_ms,
                        updated_ms = excluded.updated_ms, held_by = excluded.held_by, lifecycle = excluded.lifecycle,
                        definition_name = excluded.definition_name
                    """, arguments: [alert.id, alert.tenantID, alert.definitionID, alert.definitionName, alert.subject, alert.resourceID,
                                     alert.state, alert.severity.name, alert.flapping, alert.labelsJSON, alert.annotationsJSON,
                                     alert.value.flatMap { $0.isFinite ? $0 : nil }, alert.startsMs, alert.updatedMs, alert.heldBy, alert.lifecycleJSON])
                for entry in change.history {
                    try db.execute(sql: """
                        INSERT INTO alert_history (alert_id, at_ms, from_state, to_state, reason, actor, notified, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [entry.alertID, entry.atMs, entry.from, entry.to, entry.reason, entry.actor, entry.notified, entry.note])
                }
                for notification in change.notifications {
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO notifications (id, tenant_id, alert_id, target, payload, status, attempts, next_attempt_ms, created_ms)
                        VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                        """, arguments: [notification.id, notification.tenantID, notification.alertID, notification.targetJSON,
                                         notification.payloadJSON, notification.nextAttemptMs, notification.createdMs])
                }
                for event in change.events {
                    // An alert on a resource removed meanwhile still records its change, without a timeline entry.
                    guard try Bool.fetchOne(db, sql: "SELECT 1 FROM resources WHERE id = ?", arguments: [event.resourceID]) == true else { continue }
                    events.append(try Self.insertEvent(db, tenantID: alert.tenantID, event, timeMs: nowMs))
                }
            }
            return events
        }
    }

    public func dueNotifications(nowMs: Int64, limit: Int) async throws -> [NotificationRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM notifications WHERE status = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, created_ms LIMIT ?
                """, arguments: [nowMs, max(1, limit)]).map(Self.notificationRecord)
        }
    }

    public func notifications(tenantID: String, alertID: String) async throws -> [NotificationRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM notifications WHERE tenant_id = ? AND alert_id = ? ORDER BY created_ms, id",
                             arguments: [tenantID, alertID]).map(Self.notificationRecord)
        }
    }

    public func recordAttempt(id: String, delivered: Bool, error: String?, nextAttemptMs: Int64?, nowMs: Int64) async throws {
        try await pool.write { db in
            let status = delivered ? "delivered" : (nextAttemptMs == nil ? "failed" : "pending")
            try db.execute(sql: """
                UPDATE notifications SET status = ?, attempts = attempts + 1, next_attempt_ms = ?, last_error = ?,
                    delivered_ms = CASE WHEN ? THEN ? ELSE delivered_ms END
                WHERE id = ?
                """, arguments: [status, nextAttemptMs ?? nowMs, error, delivered, nowMs, id])
        }
    }

    public func silences(tenantID: String?) async throws -> [(tenantID: String, id: String, bodyJSON: String)] {
        try await pool.read { db in
            let sql = "SELECT tenant_id, id, body FROM silences" + (tenantID == nil ? "" : " WHERE tenant_id = ?") + " ORDER BY ends_ms"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(tenantID.map { [$0] } ?? [])).map { row in
                (tenantID: row["tenant_id"], id: row["id"], bodyJSON: row["body"])
            }
        }
    }

    public func saveSilence(tenantID: String, id: String, bodyJSON: String, endsMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO silences (tenant_id, id, body, ends_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET body = excluded.body, ends_ms = excluded.ends_ms
                """, arguments: [tenantID, id, bodyJSON, endsMs])
        }
    }

    public func deleteSilence(tenantID: String, id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM silences WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            return db.changesCount > 0
        }
    }

    static func alertRecord(_ row: Row) -> AlertRecord {
        AlertRecord(id: row["id"], tenantID: row["tenant_id"], definitionID: row["definition_id"], definitionName: row["definition_name"],
                    subject: row["subject"], resourceID: row["resource_id"], state: row["state"],
                    severity: EventSeverity(name: row["severity"]) ?? .warning, flapping: row["flapping"], labelsJSON: row["labels"],
                    annotationsJSON: row["annotations"], value: row["value"], startsMs: row["starts_ms"], updatedMs: row["updated_ms"],
                    heldBy: row["held_by"], lifecycleJSON: row["lifecycle"])
    }

    static func notificationRecord(_ row: Row) -> NotificationRecord {
        var record = NotificationRecord(id: row["id"], tenantID: row["tenant_id"], alertID: row["alert_id"], targetJSON: row["target"],
                                        payloadJSON: row["payload"], createdMs: row["created_ms"])
        record.status = row["status"]
        record.attempts = row["attempts"]
        record.nextAttemptMs = row["next_attempt_ms"]
        record.lastError = row["last_error"]
        return record
    }
}
