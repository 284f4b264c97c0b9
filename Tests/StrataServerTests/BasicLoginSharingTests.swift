import Foundation
import HTTPTypes
import Logging
import StrataCatalog
import Testing
@testable import StrataServer

/// An authenticator whose password checks are counted, over a bootstrapped catalog; the admin password.
private func countingAuthenticator() async throws -> (Authenticator, Counted, password: String, harness: ServerHarness) {
    let harness = try ServerHarness()
    _ = try await harness.server.bootstrap()
    let password = ServerHarness.password
    let checks = Counted()
    let passwords = LocalPasswords(catalog: harness.server.catalog) { password, hash in
        checks.add()
        return Secrets.verifyPassword(password, hash: hash)
    }
    let authenticator = Authenticator(catalog: harness.server.catalog, audit: AuditTrail(catalog: harness.server.catalog, logger: Logger(label: "test")),
                                      providers: [passwords])
    return (authenticator, checks, password, harness)
}

/// 16 remote-write connections opening at once with the same credentials each ran a bcrypt check (about 60 ms of
/// CPU each, 16 at once before the first ingest); requests arriving together from one address now share one.
@Test func concurrentBasicLoginsWithTheSameCredentialsShareOnePasswordCheck() async throws {
    let (authenticator, checks, password, harness) = try await countingAuthenticator()
    _ = harness
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let names = try await withThrowingTaskGroup(of: String.self) { group in
        for _ in 0..<16 {
            group.addTask { try await authenticator.user(headers: basic("admin", password), method: .post, remote: "10.0.0.1", nowMs: now).name }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(names == Array(repeating: "admin", count: 16))
    #expect(checks.value == 1, "one bcrypt check for 16 requests arriving together")
    _ = try await authenticator.user(headers: basic("admin", password), method: .post, remote: "10.0.0.1", nowMs: now + 1)
    #expect(checks.value == 1, "a later request finds the remembered login")
}

/// A shared check answers only requests with the same credentials: wrong and right passwords sent together from
/// one address never share an answer.
@Test func sharedPasswordChecksNeverAnswerARequestWithAnotherPasswordsOutcome() async throws {
    let (authenticator, _, password, harness) = try await countingAuthenticator()
    _ = harness
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let attempts = (0..<12).map { attempt in
        (secret: attempt % 3 == 0 ? "wrong" : password, remote: attempt % 3 == 2 ? "10.0.0.3" : "10.0.0.2")
    }
    let outcomes = await withTaskGroup(of: (String, Bool).self) { group in
        for attempt in attempts {
            group.addTask {
                let principal = try? await authenticator.user(headers: basic("admin", attempt.secret), method: .get, remote: attempt.remote, nowMs: now)
                return (attempt.secret, principal?.name == "admin")
            }
        }
        return await group.reduce(into: [(String, Bool)]()) { $0.append($1) }
    }
    #expect(outcomes.count == 12)
    #expect(outcomes.allSatisfy { secret, admitted in admitted == (secret == password) }, "each request answered by its own password")
}
