import StrataCore
/// Just enough of the MySQL/MariaDB client protocol to read status: the v10 handshake, the
/// `mysql_native_password` login (also after an auth switch), and text-protocol queries whose rows come
/// back as strings. No TLS (loopback only), no prepared statements.
final class MySQLClient {
    /// Why MySQL could not be read.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Server version from the handshake, e.g. `10.11.6-MariaDB-0+deb12u1`.
    private(set) var serverVersion = ""
    private let connection: TCPConnection
    private var sequence: UInt8 = 0

    /// Connects to `host`:`port` and logs in as `user`.
    init(host: String, port: UInt16, user: String, password: String, timeoutMs: Int32) throws {
        connection = try TCPConnection(host: host, port: port, timeoutMs: timeoutMs)
        let greeting = try readPacket()
        if greeting.first == 0xFF { throw Failure(description: "refused the connection: \(Self.errorMessage(greeting))") }
        let handshake = try Self.parseHandshake(greeting)
        serverVersion = handshake.version
        // CLIENT_LONG_PASSWORD | PROTOCOL_41 | TRANSACTIONS | SECURE_CONNECTION | PLUGIN_AUTH
        let capabilities: UInt32 = 0x1 | 0x200 | 0x2000 | 0x8000 | 0x80000
        var response = Self.littleEndian(capabilities) + Self.littleEndian(UInt32(1 << 24))
        response.append(33)  // utf8_general_ci
        response += [UInt8](repeating: 0, count: 23)
        response += Array(user.utf8) + [0]
        let scramble = handshake.plugin == "mysql_native_password" || handshake.plugin.isEmpty
            ? Self.nativePassword(password, seed: handshake.seed) : []
        response.append(UInt8(scramble.count))
        response += scramble
        response += Array("mysql_native_password".utf8) + [0]
        try writePacket(response)
        var answer = try readPacket()
        if answer.first == 0xFE {
            // Auth switch: plugin name, NUL, new seed (NUL-terminated).
            let body = answer.dropFirst()
            let nameEnd = body.firstIndex(of: 0) ?? body.endIndex
            let plugin = String(decoding: body[..<nameEnd], as: UTF8.self)
            guard plugin == "mysql_native_password" else {
                throw Failure(description: "the server wants the \(plugin) login, which the agent does not speak; give the user mysql_native_password")
            }
            var seed = Array(body[min(nameEnd + 1, body.endIndex)...])
            if seed.last == 0 { seed.removeLast() }
            try writePacket(Self.nativePassword(password, seed: seed))
            answer = try readPacket()
        }
        guard answer.first == 0x00 else {
            throw Failure(description: answer.first == 0xFF ? "login refused: \(Self.errorMessage(answer))" : "unexpected answer to the login")
        }
    }

    /// Rows of a text-protocol query, each a list of column values (nil for SQL NULL).
    func query(_ sql: String) throws -> [[String?]] {
        sequence = 0
        try writePacket([0x03] + Array(sql.utf8))
        let first = try readPacket()
        if first.first == 0xFF { throw Failure(description: "\(sql.prefix(40)): \(Self.errorMessage(first))") }
        if first.first == 0x00 { return [] }
        var reader = PacketReader(bytes: first)
        guard let columns = reader.lengthEncodedInteger(), columns > 0, columns < 4096 else { throw Failure(description: "malformed result header") }
        for _ in 0..<columns { _ = try readPacket() }
        guard try Self.isEOF(readPacket()) else { throw Failure(description: "malformed column definitions") }
        var rows: [[String?]] = []
        while true {
            let packet = try readPacket()
            if Self.isEOF(packet) { return rows }
            if packet.first == 0xFF { throw Failure(description: "\(sql.prefix(40)): \(Self.errorMessage(packet))") }
            var reader = PacketReader(bytes: packet)
            var row: [String?] = []
            for _ in 0..<columns {
                guard let value = reader.lengthEncodedString() else { throw Failure(description: "malformed row") }
                row.append(value)
            }
            rows.append(row)
            if rows.count > 100_000 { throw Failure(description: "more than 100000 rows") }
        }
    }

    /// `Name → Value` rows, as `SHOW GLOBAL STATUS` returns them.
    func pairs(_ sql: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for row in try query(sql) where row.count >= 2 {
            if let name = row[0] { result[name] = row[1] ?? "" }
        }
        return result
    }

    private func readPacket() throws -> [UInt8] {
        let header = try connection.read(exactly: 4)
        let length = Int(header[0]) | Int(header[1]) << 8 | Int(header[2]) << 16
        sequence = header[3] &+ 1
        guard length <= 16 << 20 else { throw Failure(description: "packet of \(length) bytes") }
        return try connection.read(exactly: length)
    }

    private func writePacket(_ payload: [UInt8]) throws {
        let length = payload.count
        try connection.send([UInt8(length & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length >> 16 & 0xFF), sequence] + payload)
        sequence &+= 1
    }

    /// Server version, seed (20 bytes) and login plugin from the initial handshake packet.
    static func parseHandshake(_ packet: [UInt8]) throws -> (version: String, seed: [UInt8], plugin: String) {
        var reader = PacketReader(bytes: packet)
        guard reader.byte() == 10, let version = reader.nulString(), reader.skip(4), let part1 = reader.take(8), reader.skip(1),
              let lowCaps = reader.take(2) else { throw Failure(description: "not a MySQL v10 handshake") }
        var seed = part1
        var plugin = ""
        let capabilities = UInt32(lowCaps[0]) | UInt32(lowCaps[1]) << 8
        if reader.skip(3), let high = reader.take(2), let seedLength = reader.byte(), reader.skip(10) {
            let all = capabilities | (UInt32(high[0]) | UInt32(high[1]) << 8) << 16
            if all & 0x8000 != 0, let part2 = reader.take(max(13, Int(seedLength) - 8)) {
                seed += part2.prefix(12)
            }
            if all & 0x80000 != 0 { plugin = reader.nulString() ?? "" }
        }
        return (version, seed, plugin)
    }

    /// `SHA1(password) XOR SHA1(seed + SHA1(SHA1(password)))`; empty for an empty password.
    static func nativePassword(_ password: String, seed: [UInt8]) -> [UInt8] {
        guard !password.isEmpty else { return [] }
        let stage1 = Digest.sha1(Array(password.utf8))
        let stage2 = Digest.sha1(stage1)
        let mix = Digest.sha1(seed + stage2)
        return zip(stage1, mix).map { $0 ^ $1 }
    }

    static func isEOF(_ packet: [UInt8]) -> Bool { packet.first == 0xFE && packet.count < 9 }

    static func errorMessage(_ packet: [UInt8]) -> String {
        guard packet.count > 3 else { return "error" }
        let code = Int(packet[1]) | Int(packet[2]) << 8
        var message = packet.dropFirst(3)
        if message.first == UInt8(ascii: "#") { message = message.dropFirst(6) }
        return "\(code) \(String(decoding: message, as: UTF8.self))"
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
}

/// A cursor over one protocol packet.
struct PacketReader {
    let bytes: [UInt8]
    var index = 0

    mutating func byte() -> UInt8? {
        guard index < bytes.count else { return nil }
        defer { index += 1 }
        return bytes[index]
    }

    mutating func take(_ count: Int) -> [UInt8]? {
        guard count >= 0, index + count <= bytes.count else { return nil }
        defer { index += count }
        return Array(bytes[index..<(index + count)])
    }

    mutating func skip(_ count: Int) -> Bool { take(count) != nil }

    /// A NUL-terminated string.
    mutating func nulString() -> String? {
        guard let end = bytes[min(index, bytes.count)...].firstIndex(of: 0) else { return nil }
        defer { index = end + 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    /// MySQL's length-encoded integer; nil for NULL (0xFB) or a short packet.
    mutating func lengthEncodedInteger() -> UInt64? {
        guard let first = byte() else { return nil }
        switch first {
        case 0xFB: return nil
        case 0xFC: return take(2).map { UInt64($0[0]) | UInt64($0[1]) << 8 }
        case 0xFD: return take(3).map { UInt64($0[0]) | UInt64($0[1]) << 8 | UInt64($0[2]) << 16 }
        case 0xFE: return take(8).map { $0.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) } }
        default: return UInt64(first)
        }
    }

    /// A length-encoded string: `.some(nil)` for SQL NULL, nil when the packet is short.
    mutating func lengthEncodedString() -> String?? {
        guard index < bytes.count else { return nil }
        if bytes[index] == 0xFB { index += 1; return .some(nil) }
        guard let length = lengthEncodedInteger(), length <= UInt64(bytes.count), let data = take(Int(length)) else { return nil }
        return .some(String(decoding: data, as: UTF8.self))
    }
}
