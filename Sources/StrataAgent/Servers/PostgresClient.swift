import StrataCore
import Synchronization

/// Just enough of the PostgreSQL frontend/backend protocol 3.0 to read statistics: startup, the trust,
/// cleartext and SCRAM-SHA-256 logins (the server's signature is checked), and simple queries whose rows
/// come back as text. No TLS (loopback only), no extended protocol.
final class PostgresClient {
    /// Why PostgreSQL could not be read.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Run-time parameters the server reported at login (`server_version`, …).
    private(set) var parameters: [String: String] = [:]
    private let connection: TCPConnection

    /// Connects to `host`:`port` and logs in as `user` to `database`.
    init(host: String, port: UInt16, user: String, password: String, database: String, timeoutMs: Int32) throws {
        connection = try TCPConnection(host: host, port: port, timeoutMs: timeoutMs)
        var startup = Self.int32(196_608)
        for (name, value) in [("user", user), ("database", database), ("application_name", "strata-agent")] {
            startup += Array(name.utf8) + [0] + Array(value.utf8) + [0]
        }
        startup.append(0)
        try connection.send(Self.int32(Int32(startup.count + 4)) + startup)
        var scram: ScramSHA256?
        while true {
            let (type, body) = try readMessage()
            switch type {
            case UInt8(ascii: "R"):
                var reader = PacketReader(bytes: body)
                guard let code = reader.take(4).map(Self.int32) else { throw Failure(description: "malformed login message") }
                switch code {
                case 0: continue
                case 3: try send("p", Array(password.utf8) + [0])
                case 10:
                    let mechanisms = body.dropFirst(4).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                    guard mechanisms.contains("SCRAM-SHA-256") else {
                        throw Failure(description: "the server offers \(mechanisms.joined(separator: ", ")), the agent speaks SCRAM-SHA-256")
                    }
                    let exchange = ScramSHA256(user: user, password: password)
                    scram = exchange
                    let first = Array(exchange.clientFirst.utf8)
                    try send("p", Array("SCRAM-SHA-256".utf8) + [0] + Self.int32(Int32(first.count)) + first)
                case 11:
                    guard let reply = scram?.clientFinal(serverFirst: String(decoding: body.dropFirst(4), as: UTF8.self)) else {
                        throw Failure(description: "malformed SCRAM challenge")
                    }
                    try send("p", Array(reply.utf8))
                case 12:
                    guard scram?.verify(serverFinal: String(decoding: body.dropFirst(4), as: UTF8.self)) == true else {
                        throw Failure(description: "the server's SCRAM signature is wrong; not trusting this server")
                    }
                case 5: throw Failure(description: "the server wants an md5 login; store the role's password as SCRAM-SHA-256 (the default since PostgreSQL 14)")
                default: throw Failure(description: "unsupported login method \(code)")
                }
            case UInt8(ascii: "S"):
                let parts = body.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
                if parts.count >= 2 { parameters[parts[0]] = parts[1] }
            case UInt8(ascii: "E"): throw Failure(description: "login refused: \(Self.errorText(body))")
            case UInt8(ascii: "Z"): return
            default: continue
            }
        }
    }

    /// Rows of a simple query as text (nil for NULL); throws the server's error message.
    func query(_ sql: String) throws -> [[String?]] {
        try send("Q", Array(sql.utf8) + [0])
        var rows: [[String?]] = []
        var failure: Failure?
        while true {
            let (type, body) = try readMessage()
            switch type {
            case UInt8(ascii: "D"):
                var reader = PacketReader(bytes: body)
                guard let count = reader.take(2).map({ Int($0[0]) << 8 | Int($0[1]) }) else { throw Failure(description: "malformed row") }
                var row: [String?] = []
                for _ in 0..<count {
                    guard let length = reader.take(4).map(Self.int32) else { throw Failure(description: "malformed row") }
                    if length < 0 { row.append(nil); continue }
                    guard let data = reader.take(Int(length)) else { throw Failure(description: "malformed row") }
                    row.append(String(decoding: data, as: UTF8.self))
                }
                rows.append(row)
                if rows.count > 100_000 { throw Failure(description: "more than 100000 rows") }
            case UInt8(ascii: "E"): failure = Failure(description: "\(sql.prefix(40)): \(Self.errorText(body))")
            case UInt8(ascii: "Z"):
                if let failure { throw failure }
                return rows
            default: continue
            }
        }
    }

    private func send(_ type: Character, _ body: [UInt8]) throws {
        try connection.send([type.asciiValue!] + Self.int32(Int32(body.count + 4)) + body)
    }

    private func readMessage() throws -> (UInt8, [UInt8]) {
        let header = try connection.read(exactly: 5)
        let length = Int(Self.int32(Array(header[1...])))
        guard length >= 4, length <= 16 << 20 else { throw Failure(description: "not a PostgreSQL message (length \(length))") }
        return (header[0], try connection.read(exactly: length - 4))
    }

    /// The `M` (message) field of an ErrorResponse, with its SQLSTATE.
    static func errorText(_ body: [UInt8]) -> String {
        var message = "error"
        var code = ""
        for field in body.split(separator: 0) where !field.isEmpty {
            let text = String(decoding: field.dropFirst(), as: UTF8.self)
            if field.first == UInt8(ascii: "M") { message = text }
            if field.first == UInt8(ascii: "C") { code = text }
        }
        return code.isEmpty ? message : "\(message) (SQLSTATE \(code))"
    }

    static func int32(_ value: Int32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    static func int32(_ bytes: [UInt8]) -> Int32 {
        Int32(bitPattern: UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
    }
}

/// One SCRAM-SHA-256 exchange (RFC 5802 / 7677) without channel binding, as PostgreSQL runs it.
struct ScramSHA256 {
    let password: String
    let clientNonce: String
    let clientFirstBare: String
    private var authMessage = ""
    private var saltedPassword: [UInt8] = []

    init(user: String, password: String, nonce: String? = nil) {
        self.password = password
        var generator = SystemRandomNumberGenerator()
        clientNonce = nonce ?? Base64.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &generator) })
        // PostgreSQL takes the user from the startup message and ignores this one; it is sent escaped as RFC 5802 asks.
        let escaped = user.replacingAll("=", with: "=3D").replacingAll(",", with: "=2C")
        clientFirstBare = "n=\(escaped),r=\(clientNonce)"
    }

    /// The client-first message.
    var clientFirst: String { "n,," + clientFirstBare }

    /// The client-final message answering `serverFirst` (`r=…,s=…,i=…`), or nil when it is malformed.
    mutating func clientFinal(serverFirst: String) -> String? {
        var fields: [Character: String] = [:]
        for part in serverFirst.split(separator: ",") where part.count >= 2 {
            fields[part.first!] = String(part.dropFirst(2))
        }
        guard let nonce = fields["r"], nonce.hasPrefix(clientNonce), let salt = fields["s"].flatMap(Base64.decode),
              let iterations = fields["i"].flatMap({ Int($0) }), iterations > 0, iterations <= 1_000_000 else { return nil }
        saltedPassword = Self.salted(password: password, salt: salt, iterations: iterations)
        let clientKey = Digest.hmacSHA256(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = Digest.sha256(clientKey)
        let withoutProof = "c=biws,r=\(nonce)"
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof
        let signature = Digest.hmacSHA256(key: storedKey, Array(authMessage.utf8))
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        return withoutProof + ",p=" + Base64.encode(proof)
    }

    /// SaltedPassword for this password, salt and iteration count: 4,096 HMAC rounds, so it is computed once
    /// and kept for the agent's life (a role's salt changes only when its password does).
    static func salted(password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = "\(iterations):\(Base64.encode(salt)):\(password)"
        if let known = saltedCache.withLock({ $0[key] }) { return known }
        let value = Digest.pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations)
        saltedCache.withLock { cache in
            if cache.count > 64 { cache.removeAll() }
            cache[key] = value
        }
        return value
    }

    private static let saltedCache = Mutex<[String: [UInt8]]>([:])

    /// Whether the server-final message (`v=…`) proves the server knows the password.
    func verify(serverFinal: String) -> Bool {
        guard serverFinal.hasPrefix("v="), !saltedPassword.isEmpty else { return false }
        let serverKey = Digest.hmacSHA256(key: saltedPassword, Array("Server Key".utf8))
        return Base64.encode(Digest.hmacSHA256(key: serverKey, Array(authMessage.utf8))) == String(serverFinal.dropFirst(2).prefix { $0 != "," })
    }
}

extension String {
    /// The string with every `target` replaced by `replacement`.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
