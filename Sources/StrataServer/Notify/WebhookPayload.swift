import Crypto
import Foundation

/// The JSON body of a webhook notification (docs/alerting.md, "Notifications"): the notification's fields,
/// each time both as Unix milliseconds and as RFC 3339, under a format `version`.
struct WebhookPayload: Encodable {
    /// The body format's version; a field is only ever added under the same version.
    static let version = "1"

    let version = Self.version
    let id, alertID, definitionID, definitionName, tenantID, status, severity: String
    let resourceID, resourceName, resourceKind: String?

    /// Keys as the REST API spells ids (`resourceId`, as in `/api/v1/alerts`).
    enum CodingKeys: String, CodingKey {
        case version, id, alertID = "alertId", definitionID = "definitionId", definitionName, tenantID = "tenantId", status, severity
        case resourceID = "resourceId", resourceName, resourceKind, labels, annotations, value, startsAtMs, startsAt, endsAtMs, endsAt
        case transitionAtMs, transitionAt, escalationStep, escalationRepeat
    }
    let labels, annotations: [String: String]
    let value: Double?
    let startsAtMs: Int64
    let startsAt: String
    let endsAtMs: Int64?
    let endsAt: String?
    let transitionAtMs: Int64
    let transitionAt: String
    let escalationStep, escalationRepeat: Int?

    init(_ notification: AlertNotification) {
        id = notification.id
        alertID = notification.alertID
        definitionID = notification.definitionID
        definitionName = notification.definitionName
        tenantID = notification.tenantID
        status = notification.status
        severity = notification.severity
        resourceID = notification.resourceID
        resourceName = notification.resourceName
        resourceKind = notification.resourceKind
        labels = notification.labels
        annotations = notification.annotations
        value = notification.value
        startsAtMs = notification.startsAtMs
        startsAt = NotificationText.rfc3339(ms: notification.startsAtMs)
        endsAtMs = notification.endsAtMs
        endsAt = notification.endsAtMs.map { NotificationText.rfc3339(ms: $0) }
        transitionAtMs = notification.transitionAtMs
        transitionAt = NotificationText.rfc3339(ms: notification.transitionAtMs)
        escalationStep = notification.escalationStep
        escalationRepeat = notification.escalationRepeat
    }

    /// The body bytes for `notification`: keys sorted, so every attempt sends the same bytes.
    static func body(for notification: AlertNotification) throws(DeliveryError) -> [UInt8] {
        try NotificationJSON.encode(WebhookPayload(notification))
    }

    /// `sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, the `X-Strata-Signature` value.
    static func signature(secret: String, timestamp: Int64, body: [UInt8]) -> String {
        var authentication = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        authentication.update(data: Array("\(timestamp).".utf8))
        authentication.update(data: body)
        let mac = authentication.finalize()
        return "sha256=" + mac.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// The JSON encoder every notification body goes through: sorted keys, `/` unescaped, and values that JSON
/// cannot hold (NaN, ±Inf) written as the strings `"NaN"`, `"+Inf"`, `"-Inf"`, as Prometheus does.
enum NotificationJSON {
    static func encode(_ value: some Encodable) throws(DeliveryError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw DeliveryError(retryable: false, message: "cannot encode the notification as JSON: \(error)")
        }
    }
}
