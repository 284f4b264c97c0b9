import StrataCore
import Testing
@testable import StrataAgent

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }

@Test func sha1AndSHA256MatchTheStandardVectors() {
    #expect(hex(Digest.sha1(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    #expect(hex(Digest.sha1([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    #expect(hex(Digest.sha256(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(hex(Digest.sha256([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    // Two blocks, and a length crossing the padding boundary (values from Python's hashlib).
    let long = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
    #expect(hex(Digest.sha256(long)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    #expect(hex(Digest.sha1(long)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    #expect(hex(Digest.sha256(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
}

@Test func hmacAndPBKDF2MatchRFCVectors() {
    // RFC 4231 test case 2.
    #expect(hex(Digest.hmacSHA256(key: Array("Jefe".utf8), Array("what do ya want for nothing?".utf8)))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    // RFC 7914 section 11 (first 32 bytes), and a 4096-iteration value from Python's hashlib.
    #expect(hex(Digest.pbkdf2SHA256(password: Array("passwd".utf8), salt: Array("salt".utf8), iterations: 1))
            == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    #expect(hex(Digest.pbkdf2SHA256(password: Array("password".utf8), salt: Array("NaCl".utf8), iterations: 4096))
            == "14681269a9dc355d9872c44c3ea290a369f804b4fd2b2f71c7be3b22dbd5b898")
}

@Test func base64RoundTripsAndRejectsForeignText() {
    for (plain, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }
    #expect(Base64.decode("not base64!") == nil)
    #expect(Base64.decode("Z") == nil)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<200 {
        let bytes = (0..<Int.random(in: 0..<80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }
}

@Test func scramSHA256AnswersTheRFC7677ExampleAndChecksTheServerSignature() throws {
    var scram = ScramSHA256(user: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
    #expect(scram.clientFirst == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
    let final = scram.clientFinal(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
    #expect(scram.verify(serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="))
    #expect(!scram.verify(serverFinal: "v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), "a wrong server signature is refused")
    var other = ScramSHA256(user: "user", password: "pencil", nonce: "abc")
    #expect(other.clientFinal(serverFirst: "r=xyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096") == nil, "a nonce not extending ours is refused")
    #expect(other.clientFinal(serverFirst: "garbage") == nil)
    #expect(ScramSHA256(user: "a,b=c", password: "", nonce: "n").clientFirst == "n,,n=a=2Cb=3Dc,r=n")
}

@Test func mysqlHandshakeAndNativePasswordFollowTheProtocol() throws {
    // A v10 greeting as MariaDB 10.11 sends it: version, thread id, seed part 1, capabilities, seed part 2, plugin.
    var packet: [UInt8] = [10] + Array("10.11.6-MariaDB-0+deb12u1".utf8) + [0] + [7, 0, 0, 0] + Array(1...8) + [0]
    packet += [0xFE, 0xF7, 33, 2, 0, 0xFF, 0x81, 21] + [UInt8](repeating: 0, count: 10) + Array(9...20) + [0]
    packet += Array("mysql_native_password".utf8) + [0]
    let handshake = try MySQLClient.parseHandshake(packet)
    #expect(handshake.version == "10.11.6-MariaDB-0+deb12u1")
    #expect(handshake.seed == Array(1...20))
    #expect(handshake.plugin == "mysql_native_password")
    // Expected value from Python: SHA1(p) XOR SHA1(seed + SHA1(SHA1(p))).
    #expect(hex(MySQLClient.nativePassword("secret", seed: Array(1...20))) == "b32bb3a583e1340c0a1108d58b1be49781ad8c2f")
    #expect(MySQLClient.nativePassword("", seed: Array(1...20)).isEmpty)
    #expect(throws: (any Error).self) { try MySQLClient.parseHandshake(Array("HTTP/1.1 400 Bad Request\r\n".utf8)) }
    #expect(MySQLClient.errorMessage([0xFF, 0x15, 0x04] + Array("#28000Access denied".utf8)) == "1045 Access denied")
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        let bytes = (0..<Int.random(in: 0..<96, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = try? MySQLClient.parseHandshake(bytes)
        var reader = PacketReader(bytes: bytes)
        while reader.lengthEncodedString() != nil {}
    }
}

@Test func mysqlStatusBecomesServerMetricsAndDatabaseServices() {
    var report = ServerReport(key: "mysql:3306", name: "mariadbd :3306", properties: [("type", .string("mysql"))])
    MySQLPlugin.apply(version: "10.11.6-MariaDB-0+deb12u1",
                      status: ["Uptime": "100", "Queries": "42", "Com_select": "7", "Threads_connected": "3", "Innodb_buffer_pool_pages_total": "8000"],
                      variables: ["version": "10.11.6-MariaDB-0+deb12u1", "max_connections": "151", "log_error": "/var/log/mysql/error.log"],
                      databases: [["crm", "16384", "1"], ["mysql", "999", "30"], ["information_schema", "0", "80"], ["empty", nil, "0"]],
                      to: &report)
    #expect(report.properties.contains { $0.key == "type" && $0.value == .string("mariadb") })
    #expect(report.properties.contains { $0.key == "version" && $0.value == .string("10.11.6") })
    #expect(report.properties.contains { $0.key == "log_files" && $0.value == .list([.string("/var/log/mysql/error.log")]) })
    #expect(report.metrics.value("mysql_queries_total") == 42)
    #expect(report.metrics.value("mysql_commands_total", ["command": "select"]) == 7)
    #expect(report.metrics.value("mysql_max_connections") == 151)
    #expect(report.services.map(\.key) == ["crm", "empty"], "system schemas are not services")
    #expect(report.services.first?.metrics.value("mysql_database_size_bytes") == 16384)
}

@Test func postgresStatisticsBecomeServerMetricsAndDatabaseServices() {
    var report = ServerReport(key: "postgresql:5432", name: "postgresql :5432")
    let row: [String?] = ["crm", "2", "10", "1", "5", "95", "100", "50", "500", "3", "1", "0", "0", "7634279"]
    PostgresPlugin.apply(databases: [row, ["short"]], connections: [["active", "1"], ["idle", "4"]], maxConnections: [["100"]],
                         bgwriter: [["3", "1", "10", "0", "2", "40"]], to: &report)
    #expect(report.metrics.value("postgresql_connections", ["state": "idle"]) == 4)
    #expect(report.metrics.value("postgresql_client_connections") == 5)
    #expect(report.metrics.value("postgresql_max_connections") == 100)
    #expect(report.metrics.value("postgresql_checkpoints_timed_total") == 3)
    #expect(report.services.map(\.key) == ["crm"], "a malformed row is skipped")
    #expect(report.services[0].metrics.value("postgresql_database_rows_inserted_total") == 500)
    #expect(report.services[0].metrics.value("postgresql_database_size_bytes") == 7_634_279)
    #expect(PostgresClient.errorText(Array("SFATAL\0C28P01\0Mpassword authentication failed for user \"x\"\0\0".utf8))
            == "password authentication failed for user \"x\" (SQLSTATE 28P01)")
}
