/// What a notification says about one alert transition; identical for every attempt (receivers dedupe on `id`).
///
/// The alert evaluator builds one per transition (firing, resolved, acknowledged, flapping) and hands it,
/// unchanged, to every delivery attempt for every target, so a receiver that sees the same `id` twice knows
/// it is a retry of a delivery it already has.
public struct AlertNotification: Sendable, Codable, Equatable {
    /// The delivery id: unique per (alert, transition), the same on every attempt.
    public var id: String
    /// The alert this transition belongs to.
    public var alertID: String
    /// The alert definition (rule) that raised the alert.
    public var definitionID: String
    /// The definition's human name, used as Alertmanager's `alertname` and in message subjects.
    public var definitionName: String
    /// The tenant that owns the definition.
    public var tenantID: String
    /// `firing`, `resolved`, `acknowledged` or `flapping`.
    public var status: String
    /// `info`, `warning`, `error` or `critical`.
    public var severity: String
    /// The resource the alert is about, when it is about one.
    public var resourceID: String?
    /// The resource's display name.
    public var resourceName: String?
    /// The resource's kind (`host`, `vm`, `container`, …).
    public var resourceKind: String?
    /// The definition's labels (plus any the evaluator adds), passed to receivers as they are.
    public var labels: [String: String]
    /// Free-text details (summary, description, runbook URL …).
    public var annotations: [String: String]
    /// The value that triggered the transition, if there is one.
    public var value: Double?
    /// When the alert started firing, Unix milliseconds.
    public var startsAtMs: Int64
    /// When the alert resolved, Unix milliseconds; set only when `status` is `resolved`.
    public var endsAtMs: Int64?
    /// When this transition happened, Unix milliseconds.
    public var transitionAtMs: Int64
    /// For an escalation: its step (1 is the definition's `escalation[0]`; the `notify` targets are step 0).
    public var escalationStep: Int?
    /// For an escalation: which send of its step, from 1.
    public var escalationRepeat: Int?

    /// Creates a notification; every field as described on the properties.
    public init(
        id: String, alertID: String, definitionID: String, definitionName: String, tenantID: String,
        status: String, severity: String, resourceID: String? = nil, resourceName: String? = nil,
        resourceKind: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:],
        value: Double? = nil, startsAtMs: Int64, endsAtMs: Int64? = nil, transitionAtMs: Int64,
        escalationStep: Int? = nil, escalationRepeat: Int? = nil
    ) {
        self.id = id
        self.alertID = alertID
        self.definitionID = definitionID
        self.definitionName = definitionName
        self.tenantID = tenantID
        self.status = status
        self.severity = severity
        self.resourceID = resourceID
        self.resourceName = resourceName
        self.resourceKind = resourceKind
        self.labels = labels
        self.annotations = annotations
        self.value = value
        self.startsAtMs = startsAtMs
        self.endsAtMs = endsAtMs
        self.transitionAtMs = transitionAtMs
        self.escalationStep = escalationStep
        self.escalationRepeat = escalationRepeat
    }
}

extension AlertNotification {
    /// One readable line: status, severity, definition, resource and value — Slack's text and the email subject.
    ///
    /// `[FIRING] critical: High CPU on web-1 (host), value 97.5`
    var summaryLine: String {
        var line = "[\(status.uppercased())] \(severity): \(definitionName)"
        if let resource = resourceName ?? resourceID {
            line += " on \(resource)"
            if let resourceKind { line += " (\(resourceKind))" }
        }
        if let value { line += ", value \(NotificationText.number(value))" }
        if let escalationStep { line += " (escalation step \(escalationStep), repeat \(escalationRepeat ?? 1))" }
        return line
    }
}
