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
    /// For mutual TLS: the context that presents the agent's certificate (`agent.pem`, `agent-key.pem`
    /// beside the credential), obtained with a CSR at enrollment.
    let certificateTLS: TLSClient?
    private(set) var credential: String?
    /// The credential the server last refused, shown when enrolling again: if it still works (the server
    /// refused a batch, not the credential), it proves this agent may keep its platform without an admin.
    private var refusedCredential: String?

    init(client: HTTPClient, enrollmentToken: String, path: String, logger: Logger, certificateTLS: TLSClient? = nil) {
        self.client = client
        self.enrollmentToken = enrollmentToken
        self.path = path
        self.logger = logger
        self.certificateTLS = certificateTLS
        let stored = HostFS(root: "/").read(path).map { String($0.filter { !$0.isWhitespace }) }
        self.credential = stored?.isEmpty == false ? stored : nil
        if let certificateTLS, credential != nil, (try? certificateTLS.useClientCertificate(certificateFile: certificatePath, keyFile: keyPath)) == nil {
            credential = nil
        }
    }

    var certificatePath: String { directory + "/agent.pem" }
    var keyPath: String { directory + "/agent-key.pem" }
    private var directory: String { path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "." }

    /// The credential, enrolling first if there is none. Nil (with the reason) when enrollment failed.
    mutating func current(agentID: String, platformKey: String) -> Result<String, EnrollmentFailure> {
        if let credential { return .success(credential) }
        guard !enrollmentToken.isEmpty else {
            return .failure(EnrollmentFailure(reason: "no credential in \(path) (missing or refused) and no enrollment token to get one: start the agent with --token or STRATA_AGENT_TOKEN"))
        }
        var body = "{\"agentId\":"
        JSONText.appendQuoted(agentID, to: &body)
        body += ",\"platformKey\":"
        JSONText.appendQuoted(platformKey, to: &body)
        if let refusedCredential {
            body += ",\"platformCredential\":"
            JSONText.appendQuoted(refusedCredential, to: &body)
        }
        var keyPEM: String?
        if certificateTLS != nil {
            do {
                let made = try TLSClient.makeKeyAndRequest(commonName: agentID)
                keyPEM = made.keyPEM
                body += ",\"csr\":"
                JSONText.appendQuoted(made.csrPEM, to: &body)
            } catch {
                return .failure(EnrollmentFailure(reason: "cannot make a certificate request: \(error)"))
            }
        }
        body += "}"
        let response: HTTPResponse
        do {
            response = try client.send(method: "POST", path: "/api/agent/v1/enroll", headers: [
                ("Authorization", "Bearer \(enrollmentToken)"), ("Content-Type", "application/json"),
            ], body: Array(body.utf8))
        } catch {
            return .failure(EnrollmentFailure(reason: "cannot reach the server to enroll: \(error)"))
        }
        if response.status == 202 {
            return .failure(EnrollmentFailure(reason: "waiting for an admin to approve this agent for its platform: \(response.text.prefix(300))"))
        }
        guard response.status == 201, let credential = Self.credential(in: response.text) else {
            let reason = response.text.trimmingSpaces.isEmpty ? "the server gave no reason (is the token complete, without spaces or line breaks?)" : String(response.text.prefix(300))
            return .failure(EnrollmentFailure(reason: "enrollment refused, HTTP \(response.status): \(reason)"))
        }
        if let certificateTLS, let keyPEM {
            guard let certificate = Self.jsonString("certificate", in: response.text) else {
                return .failure(EnrollmentFailure(reason: "the server issued no client certificate; is mtls on at the server?"))
            }
            do {
                try FileIO.writeAtomically(Array(keyPEM.utf8), to: keyPath, mode: 0o600)
                try FileIO.writeAtomically(Array(certificate.utf8), to: certificatePath, mode: 0o600)
                try certificateTLS.useClientCertificate(certificateFile: certificatePath, keyFile: keyPath)
            } catch {
                return .failure(EnrollmentFailure(reason: "cannot keep the client certificate: \(error)"))
            }
        }
        do {
            try FileIO.writeAtomically(Array((credential + "\n").utf8), to: path, mode: 0o600)
        } catch {
            logger.warning("cannot save the agent credential; will enroll again after a restart", metadata: ["error": "\(error)"])
        }
        logger.info("agent enrolled", metadata: ["agentID": "\(agentID)", "platformKey": "\(platformKey)"])
        self.credential = credential
        refusedCredential = nil
        return .success(credential)
    }

    /// Forgets a credential the server refused.
    mutating func forget() {
        refusedCredential = credential ?? refusedCredential
        credential = nil
        unlink(path)
    }

    /// The `credential` string of the server's JSON answer (`sag_` followed by the token alphabet).
    static func credential(in text: String) -> String? {
        guard let value = jsonString("credential", in: text), value.hasPrefix("sag_"), value.count < 200,
              value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return value
    }
}

extension Enrollment {
    /// The string value of `"name":"…"` in a JSON text, unescaped (enough for PEM and tokens).
    static func jsonString(_ name: String, in text: String) -> String? {
        let marker = Array("\"\(name)\":\"".utf8)
        let bytes = Array(text.utf8)
        guard bytes.count > marker.count,
              let start = (0...(bytes.count - marker.count)).first(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        else { return nil }
        var value: [UInt8] = []
        var index = start + marker.count
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                index += 1
                switch bytes[index] {
                case UInt8(ascii: "n"): value.append(10)
                case UInt8(ascii: "r"): value.append(13)
                case UInt8(ascii: "t"): value.append(9)
                default: value.append(bytes[index])
                }
            } else {
                value.append(bytes[index])
            }
            index += 1
        }
        return String(decoding: value, as: UTF8.self)
    }
}

/// Why the agent could not obtain a credential.
struct EnrollmentFailure: Error, Sendable, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}
