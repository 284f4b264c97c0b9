import Foundation
import StrataAgent
import StrataCore
import Testing

/// Real TLS and mutual-TLS handshakes on loopback: the server on its own CA (`tls: auto`, `mtls: required`),
/// curl and openssl as the clients.
@Suite(.serialized) struct TLSTests {
    @Test func agentsEnrollForAClientCertificateAndUploadOverMutualTLS() throws {
        let bed = try Testbed("tls")
        let server = try bed.startServer(environment: ["STRATA_TLS": "auto", "STRATA_MTLS": "required"])
        defer { server.terminate() }
        let ca = bed.directory + "/server/tls/ca.pem"
        let base = "https://127.0.0.1:\(bed.port)"
        let status = ["-o", "/dev/null", "-w", "%{http_code}"]

        // TLS: the server certificate verifies against the server's CA for 127.0.0.1; plain HTTP gets nothing.
        let health = try curl(["--cacert", ca] + status + ["\(base)/healthz"])
        #expect(health.status == 0 && health.output == "200", "TLS handshake and /healthz: \(health)")
        let untrusted = try curl(status + ["\(base)/healthz"])
        #expect(untrusted.status != 0, "without the CA the server certificate is not trusted")
        let plain = try curl(status + ["http://127.0.0.1:\(bed.port)/healthz"])
        #expect(plain.output != "200", "no plain HTTP on a TLS port")

        // Enrollment with a CSR made by openssl returns the agent's client certificate.
        let key = bed.directory + "/agent-key.pem"
        let csr = try runTool("/usr/bin/openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                   "-keyout", key, "-subj", "/CN=ignored"])
        #expect(csr.status == 0 && csr.output.contains("BEGIN CERTIFICATE REQUEST"))
        let request = try JSONSerialization.data(withJSONObject: ["agentId": "tls-agent", "platformKey": "machine-id:tls", "csr": csr.output])
        try request.write(to: URL(fileURLWithPath: bed.directory + "/enroll.json"))
        let enrolled = try curl(["--cacert", ca, "-H", "Authorization: Bearer \(bed.agentToken)", "-H", "Content-Type: application/json",
                                 "--data-binary", "@" + bed.directory + "/enroll.json", "\(base)/api/agent/v1/enroll"])
        let data = (try JSONSerialization.jsonObject(with: Data(enrolled.output.utf8)) as? [String: Any])?["data"] as? [String: Any] ?? [:]
        let credential = try #require(data["credential"] as? String, "enrollment answered \(enrolled.output.prefix(300))")
        let certificate = try #require(data["certificate"] as? String)
        try certificate.write(toFile: bed.directory + "/agent.pem", atomically: true, encoding: .utf8)
        let subject = try runTool("/usr/bin/openssl", ["x509", "-in", bed.directory + "/agent.pem", "-noout", "-subject", "-ext", "extendedKeyUsage"])
        #expect(subject.output.contains("CN = tls-agent") && subject.output.contains("TLS Web Client Authentication"))

        // Batches: over mutual TLS with the agent's certificate and credential → stored.
        let start = Int64(Date().timeIntervalSince1970 * 1000) - 3_600_000
        let batch = AgentBatch(agentID: "tls-agent", sequence: 1, createdAtMs: start, intervalMs: 10_000, agentVersion: "test",
                               resources: [ResourceReport(kind: .platform, key: "machine-id:tls", name: "tls-host")],
                               series: [SeriesPoints(resourceIndex: 0, metric: "uptime_seconds", type: .gauge, labels: [:],
                                                     points: [Sample(start, 1)])])
        func upload(_ sequence: UInt64, certificate: (String, String)?) throws -> String {
            var next = batch
            next.sequence = sequence
            next.series[0].points = [Sample(start + Int64(sequence) * 10_000, Double(sequence))]
            try Data(BatchCodec.encode(next)).write(to: URL(fileURLWithPath: bed.directory + "/batch.bin"))
            let tls = certificate.map { ["--cert", $0.0, "--key", $0.1] } ?? []
            let result = try curl(["--cacert", ca] + tls + status + ["-H", "Authorization: Bearer \(credential)",
                                   "-H", "Content-Type: application/x-strata-batch", "--data-binary", "@" + bed.directory + "/batch.bin",
                                   "\(base)/api/agent/v1/batches"])
            return result.status == 0 ? result.output : "handshake failed (curl \(result.status))"
        }
        let agentCertificate = (bed.directory + "/agent.pem", key)
        #expect(try upload(1, certificate: agentCertificate) == "200", "mutual TLS handshake and upload")
        #expect(try upload(2, certificate: nil) == "401", "mtls: required refuses a batch without a client certificate")

        // A certificate from another CA fails the handshake itself.
        let stranger = try runTool("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                                        "-keyout", bed.directory + "/stranger-key.pem", "-out", bed.directory + "/stranger.pem",
                                                        "-subj", "/CN=tls-agent", "-days", "1"])
        #expect(stranger.status == 0)
        let foreign = try upload(3, certificate: (bed.directory + "/stranger.pem", bed.directory + "/stranger-key.pem"))
        #expect(foreign != "200", "a certificate the server's CA did not sign is refused (\(foreign))")

        // Revoking the agent stops its certificate at once.
        let admin = "admin:\(Testbed.password)"
        let revoked = try curl(["--cacert", ca, "-u", admin, "-X", "DELETE"] + status + ["\(base)/api/v1/agents/tls-agent"])
        #expect(revoked.output == "200")
        #expect(try upload(4, certificate: agentCertificate) == "401", "a revoked agent's certificate and credential stop working")
        let stored = try curl(["--cacert", ca, "-u", admin, "\(base)/api/v1/resources?kind=platform"])
        #expect(stored.output.contains("tls-host"))
    }

    @Test func theAgentEnrollsForACertificateAndReportsOverMutualTLS() throws {
        let bed = try Testbed("tls-agent")
        let server = try bed.startServer(environment: ["STRATA_TLS": "auto", "STRATA_MTLS": "required"])
        defer { server.terminate() }
        let ca = bed.directory + "/server/tls/ca.pem"
        let agent = try StrataProcess(["agent", "--server", "https://127.0.0.1:\(bed.port)", "--data", bed.directory + "/agent", "--interval", "1s"],
                                      environment: ["STRATA_AGENT_TOKEN": bed.agentToken, "STRATA_CA_FILE": ca, "STRATA_AGENT_MTLS": "1"],
                                      logPath: bed.directory + "/agent.log")
        defer { agent.terminate() }
        let admin = "admin:\(Testbed.password)"
        try waitUntil("the platform, reported over mutual TLS", timeout: 30) {
            try curl(["--cacert", ca, "-u", admin, "https://127.0.0.1:\(bed.port)/api/v1/resources?kind=platform"]).output.contains("\"platform\"")
        }
        try waitUntil("the spool drained", timeout: 10) { bed.spooled().isEmpty }
        let subject = try runTool("/usr/bin/openssl", ["x509", "-in", bed.directory + "/agent/agent.pem", "-noout", "-subject"])
        let agentID = AgentState.load(path: bed.directory + "/agent/agent.state").agentID
        #expect(subject.output.contains("CN = \(agentID)"), "the agent holds a certificate issued to its id: \(subject.output)")
        let mode = try FileManager.default.attributesOfItem(atPath: bed.directory + "/agent/agent-key.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
