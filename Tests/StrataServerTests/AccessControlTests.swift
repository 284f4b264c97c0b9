import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCatalog
import StrataCore
import Testing
@testable import StrataServer
@testable import StrataWire

/// Basic-auth headers for `login` (`user` or `user@tenant`).
func basic(_ login: String, _ password: String) -> HTTPFields {
    [.authorization: "Basic " + Data("\(login):\(password)".utf8).base64EncodedString(), .contentType: "application/json"]
}

/// POSTs a JSON body as `headers` and returns the response.
func post(_ client: any TestClientProtocol, _ uri: String, _ json: String, _ headers: HTTPFields,
          method: HTTPRequest.Method = .post) async throws -> TestResponse {
    var headers = headers
    if headers[.contentType] == nil { headers[.contentType] = "application/json" }
    return try await client.execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: json))
}

/// A route path with its parameters filled in.
func concrete(_ path: String, id: String = "0123456789abcdef", name: String = "__name__") -> String {
    let concrete = path.split(separator: "/", omittingEmptySubsequences: false).map { part in
        part == ":name" ? name : (part.hasPrefix(":") ? id : String(part))
    }.joined(separator: "/")
    // The event stream stays open for `seconds`: one second is enough to check who may open it.
    return concrete.hasSuffix("events/stream") ? concrete + "?seconds=1" : concrete
}

/// The user and agent routes the server registered, with what each requires.
func securedRoutes(_ harness: ServerHarness) -> [RouteRule] {
    harness.server.routes.all.filter { $0.requirement != .none }
}

@Test func everyRouteRefusesRequestsWithoutCredentials() async throws {
    let harness = try ServerHarness()
    try await harness.test { client in
        let rules = securedRoutes(harness)
        #expect(rules.count >= 25, "the table holds every route (\(rules.count))")
        for rule in rules {
            let response = try await client.execute(uri: concrete(rule.path), method: rule.method)
            #expect(response.status == .unauthorized, "\(rule.method) \(rule.path)")
            #expect(response.json["errorType"] as? String == "unauthorized", "\(rule.method) \(rule.path)")
        }
        let open = harness.server.routes.all.filter { $0.requirement == .none }.map(\.path)
        // The web UI's files are public too: they hold no data, the page signs in through the API (WebUIRoutesTests).
        #expect(Set(open) == ["/healthz", "/api/v1/sessions", "/", "/ui/**"], "only health, login and the UI's files are public")
    }
}

@Test func eachRoleReachesExactlyTheRoutesItsPermissionsAllow() async throws {
    let harness = try ServerHarness()
    try await harness.test { client in
        let password = "role-password-123"
        var logins: [Role: HTTPFields] = [.admin: ServerHarness.adminBasic]
        for role in [Role.operator, .viewer] {
            let created = try await post(client, "/api/v1/users", #"{"username":"\#(role.rawValue)1","password":"\#(password)","role":"\#(role.rawValue)"}"#,
                                         ServerHarness.adminBasic)
            #expect(created.status == .created)
            logins[role] = basic("\(role.rawValue)1", password)
        }
        for rule in securedRoutes(harness) {
            for (role, headers) in logins {
                let status = try await client.execute(uri: concrete(rule.path), method: rule.method, headers: headers).status
                let label = "\(role.rawValue) \(rule.method) \(rule.path) → \(status.code)"
                switch rule.requirement {
                case .permission(let permission), .onResource(let permission):
                    if role.permissions(tenantID: defaultTenant).contains(permission) {
                        #expect(status != .unauthorized && status != .forbidden, "\(label)")
                    } else {
                        #expect(status == .forbidden, "\(label)")
                    }
                case .authenticated:
                    #expect(status != .unauthorized && status != .forbidden, "\(label)")
                case .agentCredential, .enrollmentToken:
                    #expect(status == .unauthorized, "a user's password is no agent credential: \(label)")
                case .none:
                    break
                }
            }
        }
        // A viewer writes nothing: no tokens, no users, no samples.
        let viewer = logins[.viewer]!
        let token = try await post(client, "/api/v1/tokens", #"{"name":"v"}"#, viewer)
        #expect(token.status == .forbidden)
        let remoteWrite = try await client.execute(uri: "/api/v1/write", method: .post, headers: viewer)
        #expect(remoteWrite.status == .forbidden)
    }
}

@Test func tokenScopesNarrowTheRoleAndCannotWidenIt() async throws {
    try await ServerHarness().test { client in
        let created = try await post(client, "/api/v1/tokens", #"{"name":"grafana","scopes":["read"]}"#, ServerHarness.adminBasic)
        #expect(created.status == .created)
        let token = (created.data as? [String: Any])?["token"] as? String ?? ""
        let bearer: HTTPFields = [.authorization: "Bearer \(token)"]
        let read = try await client.execute(uri: "/api/v1/resources", method: .get, headers: bearer)
        #expect(read.status == .ok)
        let write = try await client.execute(uri: "/api/v1/write", method: .post, headers: bearer)
        #expect(write.status == .forbidden, "a read-scoped admin token cannot write")
        let mint = try await post(client, "/api/v1/tokens", #"{"name":"x"}"#, bearer)
        #expect(mint.status == .forbidden)

        _ = try await post(client, "/api/v1/users", #"{"username":"op","password":"operator-pass-1","role":"operator"}"#,
                           ServerHarness.adminBasic)
        let whoami = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: basic("op", "operator-pass-1"))
        #expect((whoami.data as? [String: Any])?["permissions"] as? [String] == ["acknowledge", "control", "read"])
        let unknown = try await post(client, "/api/v1/tokens", #"{"name":"x","scopes":["root"]}"#, ServerHarness.adminBasic)
        #expect(unknown.status == .badRequest)
    }
}

@Test func tenantsSeeNoneOfEachOthersData() async throws {
    let harness = try ServerHarness()
    try await harness.test { client in
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // The provider admin creates tenant "beta"; its admin fills it with an agent, remote-written series and audit records.
        let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
        #expect(tenant.status == .created)
        let bossPassword = (tenant.data as? [String: Any])?["adminPassword"] as? String ?? ""
        let boss = basic("boss@beta", bossPassword)
        let enrollment = try await post(client, "/api/v1/tokens", #"{"name":"beta agents","kind":"enrollment"}"#, boss)
        let betaEnrollment = (enrollment.data as? [String: Any])?["token"] as? String ?? ""
        let betaAgent = try await ServerHarness.enroll(client, agent: "agent-b", machine: "mb", token: betaEnrollment)
        let betaBatch = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-b", sequence: 1, machine: "mb", start: now - 60_000)),
                                         headers: betaAgent)
        #expect(betaBatch.status == .ok)
        let written = try await write(client, [
            (labels: [("__name__", "beta_secret_metric"), ("instance", "beta-host:9100"), ("job", "betajob")], samples: [(now - 1000, 1)]),
        ], headers: boss)
        #expect(written.status == .noContent)
        await harness.server.registrar.waitUntilIdle()
        // The default tenant has its own data too.
        let ownBatch = try await upload(client, BatchCodec.encode(testBatch(sequence: 1, start: now - 60_000)))
        #expect(ownBatch.status == .ok)

        // What beta sees, to be sure the markers would show if they leaked.
        let betaResources = try await client.execute(uri: "/api/v1/resources", method: .get, headers: boss)
        let betaPlatform = ((betaResources.data as? [[String: Any]]) ?? []).first { $0["name"] as? String == "host-mb" }?["id"] as? String ?? "missing"
        let betaSeries = try await client.execute(uri: "/api/v1/resources/\(betaPlatform)/series", method: .get, headers: boss)
        let betaSeriesID = ((betaSeries.data as? [[String: Any]]) ?? []).first?["id"] as? String ?? "missing"
        let betaTokens = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: boss)
        let betaTokenID = ((betaTokens.data as? [[String: Any]]) ?? []).first?["id"] as? Int ?? -1
        let betaUsers = try await client.execute(uri: "/api/v1/users", method: .get, headers: boss)
        let bossID = ((betaUsers.data as? [[String: Any]]) ?? []).first?["id"] as? Int ?? -1
        let betaAudit = try await client.execute(uri: "/api/v1/audit", method: .get, headers: boss)
        #expect(String(buffer: betaAudit.body).contains("agent.enroll"))
        let markers = [betaPlatform, betaSeriesID, "host-mb", "beta_secret_metric", "betajob", "beta-host", "agent-b", "boss", "machine-id:mb"]
        #expect(String(buffer: betaResources.body).contains("host-mb") && String(buffer: betaResources.body).contains("beta-host"))

        // Every GET route, as the default tenant's admin and viewer, with beta's ids in every parameter.
        _ = try await post(client, "/api/v1/users", #"{"username":"watcher","password":"watcher-pass-1","role":"viewer"}"#, ServerHarness.adminBasic)
        let select = "%7B__name__%3D~%22.%2B%22%7D"
        let query = "?select=\(select)&from=\(now - 86_400_000)&to=\(now + 3_600_000)&step=600&q=host&limit=100&resource=\(betaPlatform)"
        for headers in [ServerHarness.adminBasic, basic("watcher", "watcher-pass-1")] {
            for rule in securedRoutes(harness) where rule.method == .get {
                for id in [betaPlatform, betaSeriesID, "agent-b", String(betaTokenID)] {
                    let path = concrete(rule.path, id: id)
                    let uri = path + (path.contains("?") ? "&" + query.dropFirst() : query)
                    let response = try await client.execute(uri: uri, method: .get, headers: headers)
                    let text = String(buffer: response.body)
                    // An error may echo the id that was asked for; nothing else of beta's may appear.
                    for marker in markers where marker != id {
                        #expect(!text.contains(marker), "\(uri) leaked \(marker): \(text.prefix(300))")
                    }
                }
            }
        }
        let ownResources = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic)
        #expect(String(buffer: ownResources.body).contains("host-m1"), "the default tenant still sees its own data")

        // Writes aimed at beta's objects miss: they do not exist in the caller's tenant.
        let revokeToken = try await client.execute(uri: "/api/v1/tokens/\(betaTokenID)", method: .delete, headers: ServerHarness.adminBasic)
        #expect(revokeToken.status == .notFound)
        let revokeAgent = try await client.execute(uri: "/api/v1/agents/agent-b", method: .delete, headers: ServerHarness.adminBasic)
        #expect(revokeAgent.status == .notFound)
        let demote = try await post(client, "/api/v1/users/\(bossID)", #"{"role":"viewer"}"#, ServerHarness.adminBasic, method: .patch)
        #expect(demote.status == .notFound)
        let stillBoss = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: boss)
        #expect((stillBoss.data as? [String: Any])?["role"] as? String == "admin")
        let betaStillReports = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-b", sequence: 2, machine: "mb", start: now - 50_000)),
                                                headers: betaAgent)
        #expect(betaStillReports.status == .ok)
        // A tenant admin is no provider admin.
        let tenants = try await client.execute(uri: "/api/v1/tenants", method: .get, headers: boss)
        #expect(tenants.status == .forbidden)
        // The default tenant's enrollment token cannot take over beta's agent id.
        let hijack = try await client.execute(uri: "/api/agent/v1/enroll", method: .post,
                                              headers: [.authorization: "Bearer \(ServerHarness.agentToken)", .contentType: "application/json"],
                                              body: ByteBuffer(string: #"{"agentId":"agent-b","platformKey":"machine-id:mb"}"#))
        #expect(hijack.status == .forbidden)
    }
}

@Test func anAgentCannotWriteAnotherPlatformsData() async throws {
    try await ServerHarness().test { client in
        let agentA = try await ServerHarness.enroll(client, agent: "agent-a", machine: "m1")
        let agentB = try await ServerHarness.enroll(client, agent: "agent-b", machine: "m2")
        let foreignPlatform = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-a", sequence: 1, machine: "m2")), headers: agentA)
        #expect(foreignPlatform.status == .forbidden)
        #expect((foreignPlatform.json["error"] as? String)?.contains("bound to platform") == true)
        let otherAgent = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-b", sequence: 1, machine: "m2")), headers: agentA)
        #expect(otherAgent.status == .forbidden, "agent a's credential cannot send agent b's batches")

        func withChild(_ agent: String, _ machine: String, parent: Int?, kind: ResourceKind = .server) -> [UInt8] {
            var batch = testBatch(agent: agent, sequence: 5, machine: machine)
            batch.resources.append(ResourceReport(kind: kind, key: "tomcat:/opt/tomcat", name: "tomcat", parentIndex: parent))
            return BatchCodec.encode(batch)
        }
        let own = try await upload(client, withChild("agent-a", "m1", parent: 0), headers: agentA)
        #expect(own.status == .ok)
        let stolen = try await upload(client, withChild("agent-b", "m2", parent: 0), headers: agentB)
        #expect(stolen.status == .forbidden, "b cannot re-parent a's server under its own platform")
        #expect((stolen.json["error"] as? String)?.contains("belongs to platform") == true)
        let orphan = try await upload(client, withChild("agent-b", "m2", parent: nil, kind: .service), headers: agentB)
        #expect(orphan.status == .forbidden)
        let secondPlatform = try await upload(client, withChild("agent-b", "m2", parent: 0, kind: .platform), headers: agentB)
        #expect(secondPlatform.status == .forbidden)

        let resources = try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic)
        let rows = (resources.data as? [[String: Any]]) ?? []
        #expect(rows.map { $0["name"] as? String ?? "" }.sorted() == ["host-m1", "tomcat"], "nothing of the refused batches was stored")
        let tomcat = rows.first { $0["name"] as? String == "tomcat" }
        let m1 = rows.first { $0["name"] as? String == "host-m1" }
        #expect(tomcat?["parentId"] as? String == m1?["id"] as? String)
    }
}

@Test func revokedCredentialsStopWorkingAtOnce() async throws {
    try await ServerHarness().test { client in
        // An API token.
        let created = try await post(client, "/api/v1/tokens", #"{"name":"ci"}"#, ServerHarness.adminBasic)
        let data = created.data as? [String: Any]
        let bearer: HTTPFields = [.authorization: "Bearer \(data?["token"] as? String ?? "")"]
        let before = try await client.execute(uri: "/api/v1/resources", method: .get, headers: bearer)
        #expect(before.status == .ok)
        let revoked = try await client.execute(uri: "/api/v1/tokens/\(data?["id"] as? Int ?? -1)", method: .delete, headers: ServerHarness.adminBasic)
        #expect(revoked.status == .ok)
        let after = try await client.execute(uri: "/api/v1/resources", method: .get, headers: bearer)
        #expect(after.status == .unauthorized)

        // An agent.
        let agent = try await ServerHarness.enroll(client)
        let first = try await upload(client, BatchCodec.encode(testBatch(sequence: 1)), headers: agent)
        #expect(first.status == .ok)
        let revokeAgent = try await client.execute(uri: "/api/v1/agents/agent-a", method: .delete, headers: ServerHarness.adminBasic)
        #expect(revokeAgent.status == .ok)
        let second = try await upload(client, BatchCodec.encode(testBatch(sequence: 2)), headers: agent)
        #expect(second.status == .unauthorized)
        let again = try await client.execute(uri: "/api/agent/v1/enroll", method: .post,
                                             headers: [.authorization: "Bearer \(ServerHarness.agentToken)", .contentType: "application/json"],
                                             body: ByteBuffer(string: #"{"agentId":"agent-a","platformKey":"machine-id:m1"}"#))
        #expect(again.status == .forbidden, "a revoked agent cannot enroll again")

        // A re-enrollment replaces the agent's earlier credential.
        let old = try await ServerHarness.enroll(client, agent: "agent-c", machine: "m3")
        let new = try await ServerHarness.enroll(client, agent: "agent-c", machine: "m3")
        let withOld = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-c", sequence: 1, machine: "m3")), headers: old)
        #expect(withOld.status == .unauthorized)
        let withNew = try await upload(client, BatchCodec.encode(testBatch(agent: "agent-c", sequence: 1, machine: "m3")), headers: new)
        #expect(withNew.status == .ok)

        // A disabled user: password (even one just cached) and tokens stop at once.
        let user = try await post(client, "/api/v1/users", #"{"username":"temp","password":"temporary-pass","role":"viewer"}"#, ServerHarness.adminBasic)
        let userID = (user.data as? [String: Any])?["id"] as? Int ?? -1
        let cached = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("temp", "temporary-pass"))
        #expect(cached.status == .ok)
        let disable = try await post(client, "/api/v1/users/\(userID)", #"{"disabled":true}"#, ServerHarness.adminBasic, method: .patch)
        #expect(disable.status == .ok)
        let refused = try await client.execute(uri: "/api/v1/resources", method: .get, headers: basic("temp", "temporary-pass"))
        #expect(refused.status == .unauthorized)
        let selfDisable = try await post(client, "/api/v1/users/1", #"{"disabled":true}"#, ServerHarness.adminBasic, method: .patch)
        #expect(selfDisable.status == .conflict, "an admin cannot lock themselves out")
    }
}

@Test func sessionsUseHttpOnlyCookiesAndNeedTheCSRFTokenForWrites() async throws {
    try await ServerHarness().test { client in
        let wrong = try await post(client, "/api/v1/sessions", #"{"username":"admin","password":"nope"}"#, [:])
        #expect(wrong.status == .unauthorized)
        let login = try await post(client, "/api/v1/sessions", #"{"username":"admin","password":"\#(ServerHarness.password)"}"#, [:])
        #expect(login.status == .created)
        let setCookie = login.headers[.setCookie] ?? ""
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
        let session = String(setCookie.split(separator: ";")[0])
        let csrf = (login.data as? [String: Any])?["csrfToken"] as? String ?? ""
        #expect(!csrf.isEmpty && !setCookie.contains(csrf), "the CSRF token travels in the body, not the cookie")

        let read = try await client.execute(uri: "/api/v1/resources", method: .get, headers: [.cookie: session])
        #expect(read.status == .ok)
        let forged = try await post(client, "/api/v1/tokens", #"{"name":"csrf"}"#, [.cookie: session])
        #expect(forged.status == .forbidden, "a write without the CSRF token is what a cross-site form would send")
        let wrongToken = try await post(client, "/api/v1/tokens", #"{"name":"csrf"}"#, [.cookie: session, Authenticator.csrfHeader: "guess"])
        #expect(wrongToken.status == .forbidden)
        let allowed = try await post(client, "/api/v1/tokens", #"{"name":"csrf"}"#, [.cookie: session, Authenticator.csrfHeader: csrf])
        #expect(allowed.status == .created)
        let logout = try await client.execute(uri: "/api/v1/sessions/current", method: .delete,
                                              headers: [.cookie: session, Authenticator.csrfHeader: csrf])
        #expect(logout.status == .ok)
        #expect(logout.headers[.setCookie]?.contains("Max-Age=0") == true)
        let afterLogout = try await client.execute(uri: "/api/v1/resources", method: .get, headers: [.cookie: session])
        #expect(afterLogout.status == .unauthorized)
    }
}

@Test func groupGrantsAddPermissionsOnTheGroupsResourcesAndBelow() async throws {
    try await ServerHarness().test { client in
        var batch = testBatch(sequence: 1)
        batch.resources.append(ResourceReport(kind: .server, key: "tomcat:/opt/tomcat", name: "tomcat", parentIndex: 0))
        #expect(try await upload(client, BatchCodec.encode(batch)).status == .ok)
        let other = try await ServerHarness.enroll(client, agent: "agent-b", machine: "m2")
        #expect(try await upload(client, BatchCodec.encode(testBatch(agent: "agent-b", sequence: 1, machine: "m2")), headers: other).status == .ok)
        let rows = (try await client.execute(uri: "/api/v1/resources", method: .get, headers: ServerHarness.adminBasic).data as? [[String: Any]]) ?? []
        func id(_ name: String) -> String { rows.first { $0["name"] as? String == name }?["id"] as? String ?? "missing" }

        let user = try await post(client, "/api/v1/users", #"{"username":"ana","password":"ana-password-1","role":"viewer"}"#, ServerHarness.adminBasic)
        let anaID = (user.data as? [String: Any])?["id"] as? Int ?? -1
        let ana = basic("ana", "ana-password-1")
        let group = try await post(client, "/api/v1/groups", #"{"name":"web tier","members":["\#(id("host-m1"))"]}"#, ServerHarness.adminBasic)
        #expect(group.status == .created)
        let groupID = (group.data as? [String: Any])?["id"] as? String ?? ""
        let denied = try await post(client, "/api/v1/groups", #"{"name":"x","members":[]}"#, ana)
        #expect(denied.status == .forbidden, "a viewer manages no groups")
        let unknown = try await post(client, "/api/v1/groups", #"{"name":"bad","members":["ffffffffffffffff"]}"#, ServerHarness.adminBasic)
        #expect(unknown.status == .badRequest)

        func permissions(_ resource: String) async throws -> [String] {
            let answer = try await client.execute(uri: "/api/v1/resources/\(resource)/permissions", method: .get, headers: ana)
            return (answer.data as? [String: Any])?["permissions"] as? [String] ?? []
        }
        #expect(try await permissions(id("tomcat")) == ["read"])
        let granted = try await post(client, "/api/v1/users/\(anaID)/grants/\(groupID)", #"{"role":"operator"}"#, ServerHarness.adminBasic, method: .put)
        #expect(granted.status == .ok)
        #expect(try await permissions(id("host-m1")) == ["acknowledge", "control", "read"], "the member itself")
        #expect(try await permissions(id("tomcat")) == ["acknowledge", "control", "read"], "and what runs below it")
        #expect(try await permissions(id("host-m2")) == ["read"], "outside the group only the tenant role counts")

        _ = try await post(client, "/api/v1/users/\(anaID)/grants/\(groupID)", #"{"role":"admin"}"#, ServerHarness.adminBasic, method: .put)
        #expect(try await permissions(id("tomcat")) == ["acknowledge", "control", "manage", "read"],
                "a group grant never gives tenant-wide powers (administer, write)")
        let users = try await client.execute(uri: "/api/v1/users", method: .get, headers: ana)
        #expect(users.status == .forbidden)

        let revoked = try await client.execute(uri: "/api/v1/users/\(anaID)/grants/\(groupID)", method: .delete, headers: ServerHarness.adminBasic)
        #expect(revoked.status == .ok)
        #expect(try await permissions(id("tomcat")) == ["read"])
        let members = try await client.execute(uri: "/api/v1/groups/\(groupID)", method: .get, headers: ana)
        #expect((members.data as? [String: Any])?["members"] as? [String] == [id("host-m1")])
    }
}

/// A directory that knows one password for user `ana`: stands in for an LDAP bind, which no test here runs.
struct OneUserDirectory: IdentityProvider {
    let userID: Int64
    var name: String { "directory" }

    func authenticate(username: String, tenantID: String, password: String) async throws -> IdentityMatch? {
        username == "ana" && password == "directory secret" ? IdentityMatch(userID: userID, role: .operator) : nil
    }
}

@Test func identityProvidersAreAskedInOrderAndTheAuditNamesWhichOneMatched() async throws {
    var harness = try ServerHarness()
    harness.server.identityProviders = [OneUserDirectory(userID: 2), LocalPasswords(catalog: harness.server.catalog)]
    try await harness.test { client in
        let created = try await post(client, "/api/v1/users", #"{"username":"ana","password":"local-password-1","role":"viewer"}"#,
                                     ServerHarness.adminBasic)
        #expect((created.data as? [String: Any])?["id"] as? Int == 2)
        let viaDirectory = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: basic("ana", "directory secret"))
        #expect((viaDirectory.data as? [String: Any])?["role"] as? String == "operator", "the directory's answer wins")
        let viaLocal = try await client.execute(uri: "/api/v1/whoami", method: .get, headers: basic("ana", "local-password-1"))
        #expect(viaLocal.status == .ok, "then the local passwords are asked")
        let audit = try await client.execute(uri: "/api/v1/audit?action=login", method: .get, headers: ServerHarness.adminBasic)
        let details = ((audit.data as? [[String: Any]]) ?? []).compactMap { $0["detail"] as? String }
        #expect(details.contains("via directory") && details.contains("via local"))
    }
}
