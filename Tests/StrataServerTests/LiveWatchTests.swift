import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// Live mode's watch registry (`LiveWatches`, `LiveNotices`) without I/O: expiry, renewal, several watchers, tenants.
@Suite struct LiveWatchTableTests {
    static func key(_ resource: String, _ watcher: String = "alice", tenant: String = "default") -> LiveWatches.Key {
        LiveWatches.Key(tenantID: tenant, resourceID: resource, watcher: watcher)
    }

    @Test func aWatchKeepsItsAgentLiveUntilItExpiresAndARenewalMovesTheEnd() {
        var table = LiveWatches()
        let started = table.watch(Self.key("r1"), agentID: "a", untilMs: 60_000, nowMs: 0)
        #expect(started)
        #expect(table.untilMs(agentID: "a", nowMs: 59_999) == 60_000)
        #expect(table.untilMs(agentID: "a", nowMs: 60_000) == nil, "expired at its end")
        #expect(table.untilMs(agentID: "b", nowMs: 0) == nil, "another agent is not live")
        let renewed = table.watch(Self.key("r1"), agentID: "a", untilMs: 90_000, nowMs: 30_000)
        #expect(renewed)
        #expect(table.untilMs(agentID: "a", nowMs: 60_000) == 90_000, "renewed")
        let shortened = table.watch(Self.key("r1"), agentID: "a", untilMs: 40_000, nowMs: 35_000)
        #expect(shortened)
        #expect(table.untilMs(agentID: "a", nowMs: 35_000) == 40_000, "the watcher's latest request decides, also a shorter one")
        table.prune(nowMs: 40_000)
        #expect(table.watches.isEmpty)
    }

    @Test func theLatestOfAnAgentsWatchesEndsItsWindowAndEndingOneLeavesTheOthers() {
        var table = LiveWatches()
        let platformWatched = table.watch(Self.key("platform"), agentID: "a", untilMs: 30_000, nowMs: 0)
        #expect(platformWatched)
        let serverWatched = table.watch(Self.key("nginx", "bob"), agentID: "a", untilMs: 50_000, nowMs: 0)
        #expect(serverWatched)
        #expect(table.untilMs(agentID: "a", nowMs: 10_000) == 50_000)
        let endedOnce = table.end(Self.key("nginx", "bob"))
        #expect(endedOnce)
        #expect(table.untilMs(agentID: "a", nowMs: 10_000) == 30_000)
        let endedTwice = table.end(Self.key("nginx", "bob"))
        #expect(!endedTwice, "nothing left to end")
        let endedByOther = table.end(Self.key("platform", "bob"))
        #expect(!endedByOther, "one watcher cannot end another's watch")
    }

    @Test func aTenantAtItsLimitGetsNoNewWatchButRenewsItsOwnAndOtherTenantsAreUnaffected() {
        var table = LiveWatches()
        for index in 0..<LiveWatches.maxPerTenant {
            let accepted = table.watch(Self.key("r\(index)", tenant: "busy"), agentID: "a", untilMs: 60_000, nowMs: 0)
            #expect(accepted)
        }
        let overLimit = table.watch(Self.key("one-more", tenant: "busy"), agentID: "a", untilMs: 60_000, nowMs: 0)
        #expect(!overLimit)
        let renewedAtLimit = table.watch(Self.key("r0", tenant: "busy"), agentID: "a", untilMs: 70_000, nowMs: 0)
        #expect(renewedAtLimit, "a renewal is not a new watch")
        let otherTenant = table.watch(Self.key("r0", tenant: "quiet"), agentID: "b", untilMs: 60_000, nowMs: 0)
        #expect(otherTenant)
        let afterExpiry = table.watch(Self.key("one-more", tenant: "busy"), agentID: "a", untilMs: 120_000, nowMs: 65_000)
        #expect(afterExpiry,
                "expired watches make room")
    }

    @Test func aFetchIsToldAgainOnlyWhenTheWindowStartsMovesOrEnds() {
        var notices = LiveNotices()
        #expect(!notices.changed(agentID: "a", current: nil), "never live, nothing to tell")
        #expect(notices.changed(agentID: "a", current: 60_000))
        notices.told(agentID: "a", current: 60_000)
        #expect(!notices.changed(agentID: "a", current: 60_000 + LiveNotices.toleranceMs), "a renewal within a second wakes nothing")
        #expect(notices.changed(agentID: "a", current: 85_000))
        #expect(notices.changed(agentID: "a", current: nil), "ended")
        notices.told(agentID: "a", current: nil)
        #expect(!notices.changed(agentID: "a", current: nil))
    }
}

/// `POST /api/v1/resources/{id}/live` through a real router: the agent's waiting fetch is woken with its window,
/// which ends when the watch expires; viewers may watch; other tenants' and agentless resources are refused.
@Suite struct LiveRoutesTests {
    static func fetch(_ client: any TestClientProtocol, _ agent: HTTPFields, waitMs: Int = 0) async throws -> [String: Any] {
        let response = try await client.execute(uri: "/api/agent/v1/commands?waitMs=\(waitMs)", method: .get, headers: agent)
        return response.data as? [String: Any] ?? [:]
    }

    @Test func aViewerWatchingAServerWakesItsAgentsWaitingFetchWithAOneSecondWindowThatEndsWithTheWatch() async throws {
        // The control clock moves only when the test says, so a fetch returns before its wait only when woken.
        let clock = ManualClock()
        let harness = try ServerHarness(clock: clock)
        try await harness.test { client in
            let (agent, _, serverID) = try await ControlFlowTests.setUp(client)
            _ = try await post(client, "/api/v1/users", #"{"username":"watcher","password":"watcher-pass-1","role":"viewer"}"#, ServerHarness.adminBasic)
            #expect(try await Self.fetch(client, agent)["live"] == nil, "nobody watches yet")
            async let waiting = Self.fetch(client, agent, waitMs: 20_000)
            try await Task.sleep(for: .milliseconds(300))
            let watched = try await post(client, "/api/v1/resources/\(serverID)/live", #"{"seconds": 30}"#, basic("watcher", "watcher-pass-1"))
            #expect(watched.status == .ok, "\(String(buffer: watched.body))")
            if watched.status != .ok { clock.advance(by: 20_001) }  // lets the waiting fetch end instead of hanging the test
            let answer = watched.data as? [String: Any] ?? [:]
            let platforms = try await client.execute(uri: "/api/v1/resources?kind=platform", method: .get, headers: ServerHarness.adminBasic)
            #expect(answer["resource"] as? String == serverID)
            #expect(answer["platform"] as? String == (platforms.data as? [[String: Any]])?.first?["id"] as? String)
            #expect(answer["agent"] as? String == "agent-a")
            #expect(answer["intervalMs"] as? Int == 1000)
            #expect(answer["untilMs"] as? Int64 == clock.nowMs + 30_000)
            let woken = try await waiting
            let live = try #require(woken["live"] as? [String: Any], "the waiting fetch was woken with the window: \(woken)")
            #expect(live["intervalMs"] as? Int == 1000 && live["forMs"] as? Int == 30_000 && live["untilMs"] as? Int64 == clock.nowMs + 30_000)
            #expect((woken["commands"] as? [Any])?.isEmpty == true)
            // A renewal 20 s later moves the end; the next fetch carries it.
            clock.advance(by: 20_000)
            let renewed = try await post(client, "/api/v1/resources/\(serverID)/live", "", basic("watcher", "watcher-pass-1"))
            #expect((renewed.data as? [String: Any])?["untilMs"] as? Int64 == clock.nowMs + LiveWatches.defaultSeconds * 1_000, "no body: the default length")
            #expect((try await Self.fetch(client, agent)["live"] as? [String: Any])?["forMs"] as? Int == 60_000)
            // Once the watch expired, the fetch says nothing about live mode: the agent goes back to its interval.
            clock.advance(by: 60_000)
            await harness.server.control.pruneLiveWatches()
            #expect(try await Self.fetch(client, agent)["live"] == nil)
        }
    }

    @Test func otherTenantsUnknownAndAgentlessResourcesAndBadLengthsAreRefusedAndAWatchCanBeEnded() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (agent, _, serverID) = try await ControlFlowTests.setUp(client)
            let unknown = try await post(client, "/api/v1/resources/0123456789abcdef/live", "{}", ServerHarness.adminBasic)
            #expect(unknown.status == .notFound)
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let bossPassword = try #require((tenant.data as? [String: Any])?["adminPassword"] as? String)
            let stranger = try await post(client, "/api/v1/resources/\(serverID)/live", "{}", basic("boss@beta", bossPassword))
            #expect(stranger.status == .notFound, "another tenant's resource does not exist for it")
            #expect(try await Self.fetch(client, agent)["live"] == nil, "the stranger made nothing live")
            let imported = try await post(client, "/api/v1/import", #"{"version": 1, "resources": [{"kind": "platform", "key": "old-host", "name": "old-host"}]}"#,
                                          ServerHarness.adminBasic)
            #expect(imported.status == .ok, "\(String(buffer: imported.body))")
            let found = try await client.execute(uri: "/api/v1/resources?q=old-host", method: .get, headers: ServerHarness.adminBasic)
            let oldHost = try #require((found.data as? [[String: Any]])?.first?["id"] as? String)
            let agentless = try await post(client, "/api/v1/resources/\(oldHost)/live", "{}", ServerHarness.adminBasic)
            #expect(agentless.status == .conflict)
            #expect((agentless.json["error"] as? String)?.contains("no agent reports old-host") == true, "\(agentless.json)")
            for body in [#"{"seconds": 0}"#, #"{"seconds": 3600}"#, #"{"seconds": "ten"}"#, #"{"second": 10}"#] {
                #expect(try await post(client, "/api/v1/resources/\(serverID)/live", body, ServerHarness.adminBasic).status == .badRequest, "\(body)")
            }
            let query = try await post(client, "/api/v1/resources/\(serverID)/live?seconds=99999999999999999999", "", ServerHarness.adminBasic)
            #expect(query.status == .badRequest)
            #expect(try await post(client, "/api/v1/resources/\(serverID)/live", #"{"seconds": 10}"#, ServerHarness.adminBasic).status == .ok)
            #expect((try await Self.fetch(client, agent)["live"] as? [String: Any])?["intervalMs"] as? Int == 1000)
            let ended = try await post(client, "/api/v1/resources/\(serverID)/live", "", ServerHarness.adminBasic, method: .delete)
            #expect((ended.data as? [String: Any])?["ended"] as? Bool == true)
            #expect(try await Self.fetch(client, agent)["live"] == nil, "ended: back to the configured interval")
        }
    }

    @Test func aStreamOpenedWithLiveWatchesItsResourceUntilItCloses() async throws {
        let harness = try ServerHarness()
        try await harness.test(.live) { client in
            let (agent, _, serverID) = try await ControlFlowTests.setUp(client)
            let refused = try await client.execute(uri: "/api/v1/stream?match%5B%5D=up&live=0123456789abcdef", method: .get, headers: ServerHarness.adminBasic)
            #expect(refused.status == .notFound, "an unknown resource is refused before the stream opens")
            let stream = try await StreamRoutesTests.open(harness, client, StreamRoutesTests.match("up") + "&live=\(serverID)&seconds=60")
            let forMs = (try await Self.fetch(client, agent)["live"] as? [String: Any])?["forMs"] as? Int ?? 0
            #expect(forMs > 0 && forMs <= Int(StreamRoutes.liveRenewalSeconds * 2_000), "watched while the stream is open")
            stream.close()
            // The server sees the close at its next write (a heartbeat within 15 s).
            var live: Any? = true
            for _ in 0..<400 where live != nil {
                try await Task.sleep(for: .milliseconds(100))
                live = try await Self.fetch(client, agent)["live"]
            }
            #expect(live == nil, "the stream's watch ended with it")
        }
    }
}
