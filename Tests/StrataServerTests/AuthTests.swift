import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

@Test func healthzNeedsNoCredentials() async throws {
    try await ServerHarness().test { client in
        let response = try await client.execute(uri: "/healthz", method: .get)
        #expect(response.status == .ok)
        #expect(response.json["status"] as? String == "success")
    }
}

@Test func wrongPasswordsAndCrossedTokensAreRefused() async throws {
    try await ServerHarness().test { client in
        let wrong: HTTPFields = [.authorization: "Basic " + Data("admin:nope".utf8).base64EncodedString()]
        let status1 = try await client.execute(uri: "/api/v1/resources", method: .get, headers: wrong).status
        #expect(status1 == .unauthorized)
        let garbage: HTTPFields = [.authorization: "Basic !!!not-base64"]
        let status2 = try await client.execute(uri: "/api/v1/resources", method: .get, headers: garbage).status
        #expect(status2 == .unauthorized)
        let agentOnUserAPI: HTTPFields = [.authorization: "Bearer \(ServerHarness.agentToken)"]
        let status3 = try await client.execute(uri: "/api/v1/resources", method: .get, headers: agentOnUserAPI).status
        #expect(status3 == .unauthorized)
        let status4 = try await client.execute(uri: "/api/agent/v1/batches", method: .post, headers: ServerHarness.adminBasic).status
        #expect(status4 == .unauthorized)
        let status5 = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic).status
        #expect(status5 == .ok)
    }
}

@Test func adminCreatesABearerTokenThatWorks() async throws {
    try await ServerHarness().test { client in
        let created = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: ServerHarness.adminBasic,
                                               body: ByteBuffer(string: #"{"name":"ci","expiresInDays":30}"#))
        #expect(created.status == .created)
        let token = (created.data as? [String: Any])?["token"] as? String ?? ""
        #expect(token.hasPrefix("sk_"))
        let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
        let status6 = try await client.execute(uri: "/api/v1/resources", method: .get, headers: bearer).status
        #expect(status6 == .ok)
        let bad = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: ServerHarness.adminBasic,
                                           body: ByteBuffer(string: #"{"nom":"x"}"#))
        #expect(bad.status == .badRequest)
        #expect(bad.json["errorType"] as? String == "bad_data")
        #expect((bad.json["error"] as? String)?.contains("unknown field(s) nom") == true)
        for body in ["not json", "[1]", #"{"name": 5}"#, #"{"name":"x","kind":"root"}"#] {
            let refused = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: ServerHarness.adminBasic,
                                                   body: ByteBuffer(string: body))
            #expect(refused.status == .badRequest, "\(body)")
        }
        let huge = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: ServerHarness.adminBasic,
                                            body: ByteBuffer(string: #"{"name":""# + String(repeating: "x", count: 2 << 20) + #""}"#))
        #expect(huge.status == .contentTooLarge)
    }
}

@Test func unknownRoutesAnswerInTheEnvelope() async throws {
    try await ServerHarness().test { client in
        let response = try await client.execute(uri: "/nowhere", method: .get)
        #expect(response.status == .notFound)
        #expect(response.json["status"] as? String == "error")
    }
}

@Test func metricsEndpointServesPrometheusText() async throws {
    try await ServerHarness().test { client in
        let response = try await client.execute(uri: "/metrics", method: .get, headers: ServerHarness.adminBasic)
        #expect(response.status == .ok)
        #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
    }
}

@Test func headerPartsAreTrimmedOfSpacesAndTabsOnly() {
    #expect(Authenticator.value("Bearer \t tok en \t", scheme: "bearer") == "tok en")
    #expect(Authenticator.value("bearer    ", scheme: "bearer") == nil)
    #expect(Authenticator.value("Basic abc", scheme: "bearer") == nil)
    #expect(Authenticator.cookie("strata_session", in: [.cookie: "a=1; \tstrata_session=xyz ;b=2"]) == "xyz")
    #expect(ContentType.mediaType([.contentType: " \tApplication/JSON ; charset=utf-8"]) == "application/json")
    #expect(ContentType.mediaType([.contentType: " \t "]) == nil)
    // Only OWS is whitespace here: a no-break space is part of the value, as the header's grammar has it.
    #expect("\u{00A0}x ".trimmingHTTPWhitespace() == "\u{00A0}x")
    #expect("".trimmingHTTPWhitespace().isEmpty)
}
