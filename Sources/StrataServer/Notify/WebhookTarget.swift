/// A generic JSON webhook: Strata POSTs the documented body (docs/alerting.md, "Notifications"), signed
/// with HMAC-SHA256 when `secret` is set.
public struct WebhookTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The `http://` or `https://` URL to POST to.
    public var url: String
    /// The shared secret for `X-Strata-Signature`; no signature header when nil.
    public var secret: String?

    /// Creates a webhook target.
    public init(url: String, secret: String? = nil) {
        self.url = url
        self.secret = secret
    }

    /// The host only: the URL's path may carry a token and the secret is a credential.
    public var description: String { "webhook(\(HTTPEndpoint.redactedAuthority(url)))" }
}
