/// Email over SMTP: one plain-text message per notification to every address in `to`.
///
/// Decoded from `{"type":"email","host":…,"port":…,"tls":"starttls"|"none","username":…,"password":…,
/// "from":…,"to":[…],"caFile":…}`; `tls` defaults to `starttls` and `port` to 587 (25 with `tls: none`).
public struct EmailTarget: Sendable, Codable, Equatable, CustomStringConvertible {
    /// How the SMTP connection is protected.
    public enum Security: String, Sendable, Codable, Equatable {
        /// Upgrade with STARTTLS after EHLO; the delivery fails if the server does not offer it.
        case starttls
        /// No TLS: only on a network you trust (credentials would cross it in the clear).
        case plain = "none"
    }

    /// The SMTP server's host name or IP address.
    public var host: String
    /// The SMTP server's port.
    public var port: Int
    /// `starttls` or `none`.
    public var tls: Security
    /// The AUTH user; no authentication when nil.
    public var username: String?
    /// The AUTH password.
    public var password: String?
    /// The envelope sender and `From` header, e.g. `strata@example.com`.
    public var from: String
    /// The recipients, each an envelope recipient and listed in `To`.
    public var to: [String]
    /// A PEM file of CA certificates to trust instead of the system's (for a private or self-signed CA).
    public var caFile: String?

    /// Creates an email target; `port` defaults to 587 with STARTTLS and 25 without.
    public init(host: String, port: Int? = nil, tls: Security = .starttls, username: String? = nil,
                password: String? = nil, from: String, to: [String], caFile: String? = nil) {
        self.host = host
        self.port = port ?? (tls == .starttls ? 587 : 25)
        self.tls = tls
        self.username = username
        self.password = password
        self.from = from
        self.to = to
        self.caFile = caFile
    }

    private enum CodingKeys: String, CodingKey {
        case host, port, tls, username, password, from, to, caFile
    }

    /// Decodes the fields, applying the defaults of `init` for `tls` and `port`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            host: try container.decode(String.self, forKey: .host),
            port: try container.decodeIfPresent(Int.self, forKey: .port),
            tls: try container.decodeIfPresent(Security.self, forKey: .tls) ?? .starttls,
            username: try container.decodeIfPresent(String.self, forKey: .username),
            password: try container.decodeIfPresent(String.self, forKey: .password),
            from: try container.decode(String.self, forKey: .from),
            to: try container.decode([String].self, forKey: .to),
            caFile: try container.decodeIfPresent(String.self, forKey: .caFile))
    }

    /// Server and recipients, without credentials.
    public var description: String { "email(\(host):\(port) → \(to.joined(separator: ", ")))" }

    /// Checks what can be checked without connecting: host, port, and addresses that cannot smuggle SMTP
    /// commands or headers (no CR, LF, `<`, `>` or spaces; one `@`).
    func validate() throws(DeliveryError) {
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" }) else {
            throw .invalidTarget("email host must be a host name or IP address")
        }
        guard (1...65_535).contains(port) else { throw .invalidTarget("email port must be 1-65535, not \(port)") }
        guard !to.isEmpty else { throw .invalidTarget("email target needs at least one address in to") }
        for address in [from] + to where !Self.isPlainAddress(address) {
            throw .invalidTarget("email address \"\(NotificationText.oneLine(address))\" must look like name@domain, without spaces or <>")
        }
        if username != nil, password == nil { throw .invalidTarget("email username is set but password is not") }
    }

    private static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty && address.utf8.count <= 254
            && !address.unicodeScalars.contains { $0.value <= 0x20 || $0 == "<" || $0 == ">" || $0.value == 0x7F }
    }
}
