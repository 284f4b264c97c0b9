#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import StrataCore

/// The agent's own credential. On first contact the agent exchanges the enrollment token for a
/// credential bound to its id and its platform (`POST /api/agent/v1/enroll`) and keeps it in
/// `DATA/agent.credential` (mode 0600); the enrollment token is not used again while the credential works.
/// When the server refuses the credential (revoked, or the platform changed) it is forgotten and the
/// next delivery round enrolls again, which the server refuses for a revoked agent.
struct Enrollment: Sendable {
    let client: HTTPClient
    let enrollmentToken: String
    let path: String
    let logger: Logger
    private(set) var credential: String?

    init(client: HTTPClient, enrollmentToken: String, path: String, logger: Logger) {
        self.client = client
        self.enrollmentToken = enrollmentToken
        self.path = path
        self.logger = logger
        let stored = HostFS(root: "/").read(path).map { String($0.filter { !$0.isWhitespace }) }
        self.credential = stored?.isEmpty == false ? stored : nil
    }

    /// The credential, enrolling first if there is none. Nil (with the reason) when enrollment failed.
    mutating func current(agentID: String, platformKey: String) -> Result<String, EnrollmentFailure> {
        if let credential { return .success(credential) }
        var body = "{\"agentId\":"
        JSONText.appendQuoted(agentID, to: &body)
        body += ",\"platformKey\":"
        JSONText.appendQuoted(platformKey, to: &body)
        body += "}"
        let response: HTTPResponse
        do {
            response = try client.send(method: "POST", path: "/api/agent/v1/enroll", headers: [
                ("Authorization", "Bearer \(enrollmentToken)"), ("Content-Type", "application/json"),
            ], body: Array(body.utf8))
        } catch {
            return .failure(EnrollmentFailure(reason: "cannot reach the server to enroll: \(error)"))
        }
        guard response.status == 201, let credential = Self.credential(in: response.text) else {
            return .failure(EnrollmentFailure(reason: "enrollment refused, HTTP \(response.status): \(response.text.prefix(300))"))
        }
        do {
            try FileIO.writeAtomically(Array((credential + "\n").utf8), to: path, mode: 0o600)
        } catch {
            logger.warning("cannot save the agent credential; will enroll again after a restart", metadata: ["error": "\(error)"])
        }
        logger.info("agent enrolled", metadata: ["agentID": "\(agentID)", "platformKey": "\(platformKey)"])
        self.credential = credential
        return .success(credential)
    }

    /// Forgets a credential the server refused.
    mutating func forget() {
        credential = nil
        unlink(path)
    }

    /// The `credential` string of the server's JSON answer (`sag_` followed by the token alphabet).
    static func credential(in text: String) -> String? {
        let marker = Array("\"credential\":\"".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count > marker.count,
              let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        else { return nil }
        let value = String(decoding: bytes[(start + marker.count)...].prefix { $0 != UInt8(ascii: "\"") }, as: UTF8.self)
        guard value.hasPrefix("sag_"), value.count < 200, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return String(value)
    }
}

/// Why the agent could not obtain a credential.
struct EnrollmentFailure: Error, Sendable, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
