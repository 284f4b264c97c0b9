/// Where a notification goes.
///
/// Coded as one object with a `type` discriminator beside the target's own fields:
/// ```json
/// {"type": "webhook", "url": "https://hooks.example.com/strata", "secret": "s3cret"}
/// {"type": "slack", "url": "https://hooks.slack.com/services/T000/B000/XXXX"}
/// {"type": "alertmanager", "url": "http://alertmanager:9093"}
/// {"type": "email", "host": "smtp.example.com", "port": 587, "tls": "starttls", "username": "strata",
///  "password": "…", "from": "strata@example.com", "to": ["ops@example.com"]}
/// ```
/// Decoding rejects an unknown `type` and a target that cannot work (a URL that is not http(s), an email
/// address with spaces or `<>`), so a bad definition fails when it is loaded, not at the first alert.
public enum NotificationTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A generic JSON webhook, optionally signed.
    case webhook(WebhookTarget)
    /// A Slack-compatible incoming webhook.
    case slack(SlackTarget)
    /// A Prometheus Alertmanager, API v2.
    case alertmanager(AlertmanagerTarget)
    /// Email over SMTP.
    case email(EmailTarget)

    /// The `type` value: `webhook`, `slack`, `alertmanager` or `email` (also a bounded log and metric label).
    public var type: String {
        switch self {
        case .webhook: "webhook"
        case .slack: "slack"
        case .alertmanager: "alertmanager"
        case .email: "email"
        }
    }

    /// The type and host, never a URL path, secret or password.
    public var description: String {
        switch self {
        case .webhook(let target): target.description
        case .slack(let target): target.description
        case .alertmanager(let target): target.description
        case .email(let target): target.description
        }
    }

    private enum TypeKey: String, CodingKey { case type }

    /// Decodes `type`, then the matching target from the same object, then checks it can work.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TypeKey.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "webhook": self = .webhook(try WebhookTarget(from: decoder))
        case "slack": self = .slack(try SlackTarget(from: decoder))
        case "alertmanager": self = .alertmanager(try AlertmanagerTarget(from: decoder))
        case "email": self = .email(try EmailTarget(from: decoder))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container,
                debugDescription: "unknown notification target type \"\(type)\"; expected webhook, slack, alertmanager or email")
        }
        do {
            try validate()
        } catch {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: error.message))
        }
    }

    /// Encodes the target's fields and `type` into one object.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .webhook(let target): try target.encode(to: encoder)
        case .slack(let target): try target.encode(to: encoder)
        case .alertmanager(let target): try target.encode(to: encoder)
        case .email(let target): try target.encode(to: encoder)
        }
        var container = encoder.container(keyedBy: TypeKey.self)
        try container.encode(type, forKey: .type)
    }

    /// Checks what can be checked without connecting; the error says which setting to fix.
    func validate() throws(DeliveryError) {
        switch self {
        case .webhook(let target): _ = try HTTPEndpoint(parsing: target.url, what: "webhook url")
        case .slack(let target): _ = try HTTPEndpoint(parsing: target.url, what: "slack url")
        case .alertmanager(let target):
            _ = try HTTPEndpoint(parsing: target.url, what: "alertmanager url")
            if let external = target.externalURL { _ = try HTTPEndpoint(parsing: external, what: "alertmanager externalURL") }
        case .email(let target): try target.validate()
        }
    }
}
