/// A Prometheus Alertmanager (API v2): Strata POSTs one alert to `<url>/api/v2/alerts`.
public struct AlertmanagerTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    /// The Alertmanager's base URL, e.g. `http://alertmanager:9093` (or with a route prefix).
    public var url: String
    /// Strata's own external URL; when set, each alert's `generatorURL` is `<externalURL>/alerts/<alertID>`.
    public var externalURL: String?

    /// Creates an Alertmanager target.
    public init(url: String, externalURL: String? = nil) {
        self.url = url
        self.externalURL = externalURL
    }

    /// The host only.
    public var description: String { "alertmanager(\(HTTPEndpoint.redactedAuthority(url)))" }
}
