import Foundation
import Logging
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataRules
import StrataTSDB

/// Evaluates the Prometheus rule files' groups, each on its interval, with the PromQL engine over its tenant's
/// series: recording rules write their result through `RuleSeriesWriter` (so the next rule of the group, queries and
/// streams see it), alerting rules report their result series to the `AlertEvaluator`, which keeps the alerts'
/// lifecycles and tells the tenant's targets. Keeps what `/prometheus/api/v1/rules` and `/alerts` show.
actor RuleEngine {
    /// One group as loaded.
    struct Group: Sendable {
        var tenantID: String
        var file: String
        var group: RuleGroup
        var intervalMs: Int64
        var rules: [LoadedRule]
        var nextDueMs: Int64 = 0
        var lastEvaluationMs: Int64?
        var evaluationSeconds: Double = 0
    }

    /// One rule with what evaluating it needs, and how its last evaluation went.
    struct LoadedRule: Sendable {
        var rule: Rule
        /// 1-based, in its group.
        var index: Int
        var expr: Expr
        /// An alerting rule's definition id in the evaluator.
        var definitionID: String?
        var labelTemplates: [String: AlertTemplate] = [:]
        var annotationTemplates: [String: AlertTemplate] = [:]
        var health = "unknown"
        var lastError: String?
        var lastEvaluationMs: Int64?
        var evaluationSeconds: Double = 0
        var alerts: [RuleAlertState] = []
        /// The series written at the last evaluation (recorded, or `ALERTS`), to mark the ones that end stale.
        var written: Set<Labels> = []
    }

    let alerts: AlertEvaluator
    let querier: any Querier
    /// When given, rule expressions see the cross-layer labels and info series PromQL queries see.
    let catalog: (any Catalog)?
    let writer: RuleSeriesWriter
    let defaultIntervalMs: Int64
    let queryTimeoutMs: Int64
    let logger: Logger
    var engine = Engine()
    /// Groups by file, in file order; files in path order.
    var groups: [String: [Group]] = [:]

    init(alerts: AlertEvaluator, querier: any Querier, catalog: (any Catalog)? = nil, writer: RuleSeriesWriter,
         defaultIntervalMs: Int64, queryTimeoutMs: Int64, logger: Logger) {
        self.alerts = alerts
        self.querier = querier
        self.catalog = catalog
        self.writer = writer
        self.defaultIntervalMs = max(1000, defaultIntervalMs)
        self.queryTimeoutMs = queryTimeoutMs
        self.logger = logger
    }

    /// Applies a scan: each file that read cleanly replaces its groups, a file that is gone takes its groups with it, a
    /// refused file keeps the groups it had. `tenants` are the tenants that exist (empty: not checked).
    func apply(_ scan: RuleFiles.Scan, tenants: Set<String>) async {
        var replaced = Set(groups.keys).subtracting(scan.paths)
        for path in replaced { groups[path] = nil }
        for loaded in scan.files {
            let path = loaded.file.path
            if !tenants.isEmpty, !tenants.contains(loaded.tenantID) {
                logger.error("rule file not applied: no such tenant (create it, or move the file)",
                             metadata: ["file": "\(path)", "tenant": "\(loaded.tenantID)"])
                continue
            }
            groups[path] = loaded.file.groups.map { group in
                let interval = (group.intervalMs ?? 0) > 0 ? group.intervalMs! : defaultIntervalMs
                return Group(tenantID: loaded.tenantID, file: path, group: group, intervalMs: interval,
                             rules: group.rules.enumerated().compactMap { load($1, index: $0 + 1, group: group.name, file: path, tenant: loaded.tenantID) })
            }
            replaced.insert(path)
            logger.info("rule file loaded", metadata: ["file": "\(path)", "tenant": "\(loaded.tenantID)",
                                                        "groups": "\(loaded.file.groups.count)", "rules": "\(loaded.file.ruleCount)"])
        }
        var definitions: [AlertDefinition] = []
        for (path, fileGroups) in groups where replaced.contains(path) {
            for group in fileGroups {
                for loaded in group.rules {
                    guard let id = loaded.definitionID else { continue }
                    definitions.append(Self.definition(loaded.rule, id: id, tenantID: group.tenantID, file: path, group: group.group.name,
                                                       index: loaded.index))
                }
            }
        }
        await alerts.installRules(definitions, origins: replaced, targets: scan.targets)
    }

    private func load(_ rule: Rule, index: Int, group: String, file: String, tenant: String) -> LoadedRule? {
        // The parser checked expression and templates already; a failure here would be a defect, logged and skipped.
        guard let expr = try? PromQLParser.parse(rule.expr) else {
            logger.error("rule skipped: its expression does not parse", metadata: ["file": "\(file)", "rule": "\(rule.name)"])
            return nil
        }
        var loaded = LoadedRule(rule: rule, index: index, expr: expr)
        if rule.kind == .alerting {
            loaded.definitionID = StableID(parts: ["rule", tenant, file, group, String(index)]).description
            let name = "__alert_" + rule.name
            loaded.labelTemplates = rule.labels.compactMapValues { try? AlertTemplate($0, name: name) }
            loaded.annotationTemplates = rule.annotations.compactMapValues { try? AlertTemplate($0, name: name) }
        }
        return loaded
    }

    /// The alert definition standing for an alerting rule: `for` as is, no minimum firing time and no flapping mark (as
    /// Prometheus), severity from a `severity` label Strata knows (else warning).
    static func definition(_ rule: Rule, id: String, tenantID: String, file: String, group: String, index: Int) -> AlertDefinition {
        AlertDefinition(id: id, tenantID: tenantID, name: rule.name, scope: .series([:]),
                               condition: .rule(RuleCondition(expr: rule.expr, keepFiringForMs: rule.keepFiringForMs, file: file, group: group,
                                                              index: index)),
                               severity: rule.labels["severity"].flatMap { EventSeverity(name: $0) } ?? .warning,
                               policy: LifecyclePolicy(forMs: rule.forMs, minFiringMs: 0, flapThreshold: 0),
                               labels: rule.labels, annotations: rule.annotations, origin: file)
    }

    /// Evaluates every group that is due at `nowMs`, each at the start of its current interval.
    func evaluateDue(nowMs: Int64) async {
        for path in groups.keys.sorted() {
            for position in (groups[path] ?? []).indices {
                guard var group = groups[path]?[position] else { continue }
                let slot = nowMs - ((nowMs % group.intervalMs) + group.intervalMs) % group.intervalMs
                guard slot >= group.nextDueMs else { continue }
                await evaluate(&group, atMs: slot)
                group.nextDueMs = slot + group.intervalMs
                // The file may have been replaced while the group ran: keep the result only for the same group.
                if groups[path]?.indices.contains(position) == true, groups[path]?[position].group == group.group {
                    groups[path]?[position] = group
                }
            }
        }
    }

    /// The loaded groups of a tenant, in file and group order.
    func groups(tenantID: String) -> [Group] {
        groups.keys.sorted().flatMap { groups[$0] ?? [] }.filter { $0.tenantID == tenantID }
    }
}
