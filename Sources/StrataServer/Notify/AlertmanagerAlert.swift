import Foundation

/// One alert in Alertmanager's API v2 `postableAlert` shape, as `POST /api/v2/alerts` takes it.
///
/// Alertmanager identifies an alert by its label set, so the labels are the stable part: `alertname`
/// (the definition's name), `severity`, `tenant`, `resource_id` and `resource_name` when known, and the
/// definition's labels (Strata's own names win over a definition label of the same name). Label and
/// annotation names are made valid Prometheus names (`[a-zA-Z_][a-zA-Z0-9_]*`, other characters become
/// `_`), and empty values are dropped, as Alertmanager would drop them.
///
/// `endsAt` is sent only for `resolved` (then Alertmanager resolves the alert). Firing, acknowledged and
/// flapping alerts omit it: Alertmanager then keeps the alert active for its `resolve_timeout` (default
/// 5 min) after the last time it received it, which is why clients are expected to re-send active alerts.
struct AlertmanagerAlert: Encodable {
    let labels: [String: String]
    let annotations: [String: String]
    let startsAt: String
    let endsAt: String?
    let generatorURL: String?

    init(_ notification: AlertNotification, externalURL: String?) {
        var labels = Self.sanitized(notification.labels)
        labels["alertname"] = notification.definitionName
        labels["severity"] = notification.severity
        labels["tenant"] = notification.tenantID
        labels["resource_id"] = notification.resourceID
        labels["resource_name"] = notification.resourceName
        self.labels = labels.filter { !$0.value.isEmpty }

        var annotations = Self.sanitized(notification.annotations)
        annotations["strata_status"] = notification.status
        annotations["strata_alert_id"] = notification.alertID
        annotations["strata_definition_id"] = notification.definitionID
        if let kind = notification.resourceKind { annotations["resource_kind"] = kind }
        if let value = notification.value { annotations["value"] = NotificationText.number(value) }
        if let step = notification.escalationStep { annotations["strata_escalation_step"] = String(step) }
        self.annotations = annotations.filter { !$0.value.isEmpty }

        startsAt = NotificationText.rfc3339(ms: notification.startsAtMs)
        if notification.status == "resolved" {
            // Alertmanager rejects an alert that ends before it starts.
            endsAt = NotificationText.rfc3339(ms: max(notification.endsAtMs ?? notification.transitionAtMs, notification.startsAtMs))
        } else {
            endsAt = nil
        }
        generatorURL = externalURL.map { base in
            let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
            let id = notification.alertID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? ""
            return "\(trimmed)/alerts/\(id)"
        }
    }

    /// The request body: a JSON array holding this one alert.
    static func body(for notification: AlertNotification, externalURL: String?) throws(DeliveryError) -> [UInt8] {
        try NotificationJSON.encode([AlertmanagerAlert(notification, externalURL: externalURL)])
    }

    /// `name` as a valid Prometheus label name: characters outside `[a-zA-Z0-9_]` become `_`, and a
    /// leading digit gets a `_` in front.
    static func labelName(_ name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let valid = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_")
            scalars.append(valid ? scalar : "_")
        }
        let text = String(scalars)
        if let first = text.unicodeScalars.first, ("0"..."9").contains(first) { return "_" + text }
        return text.isEmpty ? "_" : text
    }

    private static func sanitized(_ pairs: [String: String]) -> [String: String] {
        var result: [String: String] = [:]
        for key in pairs.keys.sorted() {   // sorted: which of two colliding names wins does not depend on hashing
            result[labelName(key)] = pairs[key]
        }
        return result
    }
}
