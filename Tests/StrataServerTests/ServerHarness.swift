import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import StrataCore
import StrataTSDB
import Synchronization
@testable import StrataServer

/// A server on a fresh data directory with known credentials, tested in-process through its router.
struct ServerHarness {
    static let password = "correct horse battery"
    static let agentToken = "sat_test_token_0123456789"
    var server: StrataServer

    init(maxBatchBytes: Int = 16 << 20, clock: ManualClock? = nil, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        var generator = SystemRandomNumberGenerator()
        configuration.dataDirectory = "/tmp/strata-tests/server-\(generator.next() % 1_000_000_000)"
        configuration.bootstrapAdminPassword = Self.password
        configuration.bootstrapAgentToken = Self.agentToken
        configuration.maxBatchBytes = maxBatchBytes
        configuration.authFailuresPerMinute = 100_000
        configure(&configuration)
        var readClock: (@Sendable () -> Int64)?
        if let clock { readClock = { clock.nowMs } }
        server = try StrataServer(configuration: configuration, registry: PrometheusCollectorRegistry(),
                                  logger: Logger(label: "test"), clock: readClock)
    }

    /// Bootstraps and runs `body` against the router (`.live`: a real server on a free loopback port, `client.port`).
    func test(_ setup: TestingSetup = .router, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        _ = try await server.bootstrap()
        let app = Application(router: server.makeRouter(), server: server.httpServer)
        // The background services the routes rely on run beside the test, as in the server's service group.
        let registrar = Task { await server.registrar.run() }
        defer { registrar.cancel() }
        try await Self.$defaultAgent.withValue(DefaultAgent()) {
            try await app.test(setup) { client in try await body(client) }
        }
    }

    /// The credential of the default agent (`agent-a` on `m1`) of the running test, enrolled on first use: an
    /// agent whose credential works may not enroll again without an admin (docs/security.md).
    @TaskLocal static var defaultAgent: DefaultAgent?

    /// Headers of the default agent of the running test.
    static func defaultAgentHeaders(_ client: any TestClientProtocol) async throws -> HTTPFields {
        if let cached = defaultAgent?.headers.withLock({ $0 }) { return cached }
        let headers = try await enroll(client)
        defaultAgent?.headers.withLock { $0 = headers }
        return headers
    }

    /// The bootstrap admin's basic credentials, declaring JSON bodies as every API client does.
    static var adminBasic: HTTPFields {
        [.authorization: "Basic " + Data("admin:\(password)".utf8).base64EncodedString(), .contentType: "application/json"]
    }

    /// Enrolls `agent` for platform `machine-id:MACHINE` with the bootstrap enrollment token and returns
    /// the headers that upload batches with its new credential.
    static func enroll(_ client: any TestClientProtocol, agent: String = "agent-a", machine: String = "m1",
                       token: String = agentToken) async throws -> HTTPFields {
        let response = try await client.execute(uri: "/api/agent/v1/enroll", method: .post,
                                                 headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
                                                 body: ByteBuffer(string: #"{"agentId":"\#(agent)","platformKey":"machine-id:\#(machine)"}"#))
        let credential = (response.data as? [String: Any])?["credential"] as? String ?? "enrollment failed: \(response.status)"
        return [.authorization: "Bearer \(credential)", .contentType: "application/x-strata-batch"]
    }
}

extension TestResponse {
    /// The body parsed as a JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The envelope's `data`.
    var data: Any? { json["data"] }
}

/// A batch for a platform with one gauge series carrying `points` samples.
/// Yesterday's midnight UTC: recent enough for the server's time bounds, whole days for readable times.
let testStartMs = (WallClock.nowMs() / 86_400_000 - 1) * 86_400_000

func testBatch(agent: String = "agent-a", sequence: UInt64, machine: String = "m1", start: Int64 = testStartMs,
               points: Int = 1) -> AgentBatch {
    AgentBatch(agentID: agent, sequence: sequence, createdAtMs: start, intervalMs: 1000, agentVersion: "test",
               resources: [ResourceReport(kind: .platform, key: "machine-id:\(machine)", name: "host-\(machine)",
                                          properties: .map([("hostname", .string("host-\(machine)"))]))],
               series: [SeriesPoints(resourceIndex: 0, metric: "memory_used_bytes", type: .gauge, labels: [:],
                                     points: (0..<points).map { Sample(start + Int64(sequence) * 10_000 + Int64($0), Double(sequence)) })])
}

/// The default agent's credential within one test.
final class DefaultAgent: Sendable {
    let headers = Mutex<HTTPFields?>(nil)
}
