/// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat …): Strata POSTs `{"text": "…"}`.
public struct SlackTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The incoming-webhook URL (it is itself a credential).
    public var url: String

    /// Creates a Slack-compatible target.
    public init(url: String) { self.url = url }

    /// The host only: the URL's path is the credential.
    public var description: String { "slack(\(HTTPEndpoint.redactedAuthority(url)))" }
}
