import Logging
import StrataCatalog

/// Appends to the audit log. A failure to write is logged as an error and does not fail the request
/// that caused it (the action already happened); the log line carries the record instead.
public struct AuditTrail: Sendable {
    let catalog: any Catalog
    let logger: Logger

    /// Creates a trail writing to `catalog`.
    public init(catalog: any Catalog, logger: Logger) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Appends one record.
    public func record(_ record: AuditRecord) async {
        do {
            try await catalog.appendAudit([record])
        } catch {
            logger.error("cannot write audit record", metadata: [
                "action": "\(record.action)", "actor": "\(record.actor)", "target": "\(record.target)",
                "outcome": "\(record.outcome)", "error": "\(error)",
            ])
        }
    }

    /// Appends a record of `principal` doing `action` to `target`.
    func record(_ principal: Principal, _ action: String, target: String, outcome: String = "ok", detail: String = "",
                remote: String, nowMs: Int64) async {
        await record(AuditRecord(tenantID: principal.tenantID, timeMs: nowMs, actor: principal.auditActor, action: action,
                                 target: target, outcome: outcome, detail: detail, remote: remote))
    }
}
