import Logging

/// Delivers one notification to one target; one attempt, bounded by `timeout`.
///
/// The caller (the alert evaluator's delivery queue) decides what happens after a failure: it asks
/// `RetrySchedule` for the next attempt when the error is `retryable`, and records the delivery as failed
/// otherwise. Every attempt of one notification sends the same content (see `AlertNotification`).
///
/// ```swift
/// let delivery = NotificationDelivery(logger: logger, timeout: .seconds(10))
/// do {
///     try await delivery.deliver(notification, to: .webhook(WebhookTarget(url: "https://hooks.example.com/x", secret: "s")))
/// } catch let error where error.retryable {
///     // schedule the next attempt
/// }
/// ```
///
/// Logs go to `logger` at debug (attempt) and info (outcome) with the delivery id, alert id, target type
/// and host, status and duration as metadata — never a URL path, secret, password or message body.
public struct NotificationDelivery: Sendable {
    private let logger: Logger
    private let timeout: Duration
    private let version: String

    /// Creates a delivery.
    ///
    /// - Parameters:
    ///   - logger: where attempts and outcomes are logged.
    ///   - timeout: the limit on one attempt as a whole (connect, TLS, request and response, or the SMTP
    ///     session); a receiver that stalls is cut off and the attempt fails as retryable.
    ///   - version: Strata's version for `User-Agent: strata/<version>`.
    public init(logger: Logger, timeout: Duration = .seconds(10), version: String = "dev") {
        self.logger = logger
        self.timeout = timeout
        self.version = version
    }

    /// Makes one attempt to deliver `notification` to `target`.
    ///
    /// - Throws: `DeliveryError`, with `retryable` saying whether a later attempt may succeed.
    public func deliver(_ notification: AlertNotification, to target: NotificationTarget) async throws(DeliveryError) {
        var logger = logger
        logger[metadataKey: "delivery_id"] = "\(notification.id)"
        logger[metadataKey: "alert_id"] = "\(notification.alertID)"
        logger[metadataKey: "target"] = "\(target)"
        logger.debug("notification attempt", metadata: ["status": "\(notification.status)"])
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await attempt(notification, to: target)
            logger.info("notification delivered", metadata: ["duration_ms": "\(Self.milliseconds(clock.now - started))"])
        } catch {
            logger.info("notification not delivered", metadata: [
                "duration_ms": "\(Self.milliseconds(clock.now - started))",
                "retryable": "\(error.retryable)",
                "reply_status": "\(error.status.map(String.init) ?? "none")",
                "error": "\(error.message)",
            ])
            throw error
        }
    }

    private func attempt(_ notification: AlertNotification, to target: NotificationTarget) async throws(DeliveryError) {
        let http = HTTPPoster(timeout: timeout, userAgent: "strata/\(version)")
        switch target {
        case .webhook(let webhook):
            let endpoint = try HTTPEndpoint(parsing: webhook.url, what: "webhook url")
            let body = try WebhookPayload.body(for: notification)
            let timestamp = Self.unixSeconds()
            var headers = [
                ("Content-Type", "application/json"),
                ("X-Strata-Delivery", notification.id),
                ("X-Strata-Timestamp", String(timestamp)),
            ]
            if let secret = webhook.secret {
                headers.append(("X-Strata-Signature", WebhookPayload.signature(secret: secret, timestamp: timestamp, body: body)))
            }
            try Self.accept(try await http.post(body, to: endpoint, headers: headers), from: endpoint)
        case .slack(let slack):
            let endpoint = try HTTPEndpoint(parsing: slack.url, what: "slack url")
            let body = try NotificationJSON.encode(SlackMessage(notification))
            try Self.accept(try await http.post(body, to: endpoint, headers: [("Content-Type", "application/json")]), from: endpoint)
        case .alertmanager(let alertmanager):
            let endpoint = try HTTPEndpoint(parsing: alertmanager.url, what: "alertmanager url").appendingPath("/api/v2/alerts")
            let body = try AlertmanagerAlert.body(for: notification, externalURL: alertmanager.externalURL)
            try Self.accept(try await http.post(body, to: endpoint, headers: [("Content-Type", "application/json")]), from: endpoint)
        case .email(let email):
            try await SMTPClient(target: email, timeout: timeout).send(EmailMessage(notification, from: email.from, to: email.to))
        }
    }

    /// 2xx is delivered; 408, 429 and 5xx may pass later; any other status will not.
    private static func accept(_ reply: HTTPPoster.Reply, from endpoint: HTTPEndpoint) throws(DeliveryError) {
        guard !(200..<300).contains(reply.status) else { return }
        let retryable = reply.status == 408 || reply.status == 429 || reply.status >= 500
        let snippet = NotificationText.oneLine(String(decoding: reply.body.prefix(300), as: UTF8.self))
        var message = "\(endpoint.authority) answered HTTP \(reply.status)"
        if (300..<400).contains(reply.status) { message += " (redirects are not followed: use the final URL)" }
        if !snippet.isEmpty { message += ": \(snippet)" }
        throw DeliveryError(retryable: retryable, message: message, status: reply.status)
    }

    private static func unixSeconds() -> Int64 { Time.nowMs() / 1000 }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
