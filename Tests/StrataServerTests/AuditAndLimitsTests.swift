import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import StrataCatalog
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

// The audit log, rate and failed-authentication limits, the provider's metrics, and the route table against
// docs/openapi.yaml.

@Test func theAuditLogRecordsLoginsTokenUseAndChanges() async throws {
    try await ServerHarness().test { client in
        _ = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("admin", "wrong password"))
        _ = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic)
        let created = try await post(client, "/api/v1/tokens", #"{"name":"ci"}"#, ServerHarness.adminBasic)
        let token = (created.data as? [String: Any])?["token"] as? String ?? ""
        let tokenID = (created.data as? [String: Any])?["id"] as? Int ?? -1
        _ = try await client.execute(uri: "/api/v1/resources", method: .get, headers: [.authorization: "Bearer \(token)"])
        _ = try await client.execute(uri: "/api/v1/tokens/\(tokenID)", method: .delete, headers: ServerHarness.adminBasic)
        _ = try await post(client, "/api/v1/users", #"{"username":"ana","password":"ana-password-1","role":"viewer"}"#, ServerHarness.adminBasic)
        _ = try await ServerHarness.enroll(client)
        _ = try await client.execute(uri: "/api/v1/agents/agent-a", method: .delete, headers: ServerHarness.adminBasic)

        let audit = try await client.execute(uri: "/api/v1/audit?limit=100", method: .get, headers: ServerHarness.adminBasic)
        let records = (audit.data as? [[String: Any]]) ?? []
        let seen = records.map { "\($0["action"] as? String ?? "") \($0["outcome"] as? String ?? "")" }
        for expected in ["login denied", "login ok", "token.create ok", "token.use ok", "token.revoke ok", "user.create ok",
                         "agent.enroll ok", "agent.revoke ok"] {
            #expect(seen.contains(expected), "\(expected) in \(seen)")
        }
        #expect(!String(buffer: audit.body).contains(token), "no secret in the audit log")
        #expect(!String(buffer: audit.body).contains(ServerHarness.password))
        let onlyTokens = try await client.execute(uri: "/api/v1/audit?action=token.", method: .get, headers: ServerHarness.adminBasic)
        let actions = Set(((onlyTokens.data as? [[String: Any]]) ?? []).compactMap { $0["action"] as? String })
        #expect(actions == ["token.create", "token.use", "token.revoke"])
    }
}

/// Found by an outside probe: `/metrics` (every tenant's traffic) was readable by any tenant's viewer.
@Test func serverMetricsAreTheProvidersOnly() async throws {
    try await ServerHarness().test { client in
        let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
        let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
        #expect(try await client.execute(uri: "/metrics", method: .get, headers: boss).status == .forbidden)
        #expect(try await client.execute(uri: "/metrics", method: .get, headers: ServerHarness.adminBasic).status == .ok)
    }
}

@Test func floodsAndGuessingGet429WithRetryAfter() async throws {
    let limited = try ServerHarness { $0.rateLimitPerSecond = 1 }
    try await limited.test { client in
        var refused: TestResponse?
        for _ in 0..<200 where refused == nil {
            let response = try await client.execute(uri: "/healthz", method: .get)
            if response.status == .tooManyRequests { refused = response }
        }
        #expect(refused != nil, "a flood from one address is cut off")
        #expect(refused?.headers[.retryAfter] != nil)
        #expect(refused?.json["errorType"] as? String == "too_many_requests")
    }
    let guarded = try ServerHarness { $0.authFailuresPerMinute = 3 }
    try await guarded.test { client in
        for _ in 0..<3 {
            let status = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("admin", "guess")).status
            #expect(status == .unauthorized)
        }
        let guess = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("admin", "guess"))
        #expect(guess.status == .tooManyRequests, "after 3 failures the next wrong password is told to back off")
        #expect(guess.headers[.retryAfter] != nil)
        let right = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic)
        #expect(right.status == .ok, "the right password still gets in (after a pause), whatever was guessed before")
    }
}

/// Issue 15, point 12: 20 bad tokens from one address used to lock every client at that address out (429),
/// remote write and agents included.
@Test func guessesFromAnAddressNeverLockOutValidCredentialsThere() async throws {
    let guarded = try ServerHarness { $0.authFailuresPerMinute = 3 }
    try await guarded.test { client in
        let agent = try await ServerHarness.enroll(client)
        let created = try await post(client, "/api/v1/tokens", #"{"name":"prometheus","scopes":["write","read"]}"#, ServerHarness.adminBasic)
        let token = (created.data as? [String: Any])?["token"] as? String ?? ""
        for _ in 0..<5 {
            _ = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("admin", "guess"))
            _ = try await client.execute(uri: "/api/v1/resources", method: .get, headers: [.authorization: "Bearer sk_guess"])
            _ = try await client.execute(uri: "/api/agent/v1/batches", method: .post, headers: [.authorization: "Bearer sag_guess"],
                                         body: ByteBuffer(bytes: [1]))
        }
        let badToken = try await client.execute(uri: "/api/v1/resources", method: .get, headers: [.authorization: "Bearer sk_guess"])
        #expect(badToken.status == .tooManyRequests, "token guessing is limited")
        let badAgent = try await client.execute(uri: "/api/agent/v1/batches", method: .post, headers: [.authorization: "Bearer sag_guess"],
                                                body: ByteBuffer(bytes: [1]))
        #expect(badAgent.status == .tooManyRequests, "agent credential guessing is limited on its own")
        let write = try await client.execute(uri: "/api/v1/write", method: .post,
                                             headers: [.authorization: "Bearer \(token)", .contentType: "application/x-protobuf"],
                                             body: ByteBuffer(bytes: Snappy.compress([])))
        #expect(write.status == .noContent, "a valid token at the same address still writes")
        let batch = try await client.execute(uri: "/api/agent/v1/batches", method: .post, headers: agent, body: ByteBuffer(bytes: [1]))
        #expect(batch.status == .badRequest, "the agent's own credential still passes (the body is bad)")
        let other = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("someone-else", "x"))
        #expect(other.status == .unauthorized, "another user name from the address has its own count")
    }
}

@Test func theRateLimiterRefillsAtItsRateAndKeepsAddressesApart() throws {
    let limiter = RateLimiter(ratePerSecond: 2, burst: 4)
    for _ in 0..<4 { try limiter.take("10.0.0.1", nowMs: 0) }
    #expect(throws: APIError.self) { try limiter.take("10.0.0.1", nowMs: 0) }
    try limiter.take("10.0.0.2", nowMs: 0)
    try limiter.take("10.0.0.1", nowMs: 500)
    #expect(throws: APIError.self, "half a second at 2/s buys one request") { try limiter.take("10.0.0.1", nowMs: 500) }
    do {
        try limiter.take("10.0.0.1", nowMs: 600)
        Issue.record("the bucket is empty")
    } catch let error as APIError {
        #expect(error.status == .tooManyRequests && error.headers[.retryAfter] == "1")
    }
}

@Test func everyRouteIsDocumentedInTheOpenAPIFileAndNothingElse() async throws {
    let harness = try ServerHarness()
    try await harness.test { _ in }
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi.yaml")
    var documented: Set<String> = []
    var path = ""
    for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
        if line.hasPrefix("  /"), line.hasSuffix(":") {
            path = String(line.dropFirst(2).dropLast())
        } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), !path.isEmpty,
                  ["get", "post", "put", "patch", "delete"].contains(line.trimmingCharacters(in: .whitespaces).dropLast()) {
            documented.insert("\(line.trimmingCharacters(in: .whitespaces).dropLast().uppercased()) \(path)")
        } else if !line.hasPrefix(" ") {
            path = ""
        }
    }
    let registered = Set(harness.server.routes.all.map { rule in
        "\(rule.method.rawValue) " + rule.path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : $0 == "**" ? "{path}" : String($0) }.joined(separator: "/")
    })
    #expect(registered.count >= 25 && documented.contains("POST /api/agent/v1/enroll"))
    #expect(registered.subtracting(documented).isEmpty, "routes missing from docs/openapi.yaml: \(registered.subtracting(documented).sorted())")
    #expect(documented.subtracting(registered).isEmpty, "documented routes that do not exist: \(documented.subtracting(registered).sorted())")
}

/// Issue 18's bench: a Prometheus above the rate limit was answered 429, which Prometheus 2.42 drops unless
/// `retry_on_http_429` is set; remote write is answered 503 with `Retry-After`, which it retries.
@Test func aRemoteWriteSenderOverTheRateLimitIsToldToRetryNotToDrop() async throws {
    let limited = try ServerHarness { $0.rateLimitPerSecond = 1 }
    try await limited.test { client in
        var refused: TestResponse?
        for _ in 0..<200 where refused == nil {
            let response = try await client.execute(uri: "/api/v1/write", method: .post, headers: ServerHarness.adminBasic)
            if response.status != .badRequest && response.status != .noContent { refused = response }
        }
        #expect(refused?.status == .serviceUnavailable && refused?.headers[.retryAfter] != nil, "\(String(describing: refused?.status))")
    }
}
