import Foundation
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataTSDB
import Testing
import StrataInventory
@testable import StrataServer

/// Issue 17: dead servers and test platforms piled up with no way to remove them. A resource can be removed
/// (history kept or purged, audited, permission `manage`), and servers gone too long retire by themselves.
@Suite struct ResourceRemovalTests {
    /// A batch for platform `host-m1` with a redis server and a service below it.
    static func batch(sequence: UInt64, serverUp: Bool = true) -> AgentBatch {
        var batch = testBatch(sequence: sequence, start: WallClock.nowMs() - 60_000 + Int64(sequence))
        batch.resources.append(ResourceReport(kind: .server, key: "redis:6379", name: "redis :6379", parentIndex: 0))
        batch.resources.append(ResourceReport(kind: .service, key: "redis:6379/db3", name: "db3", parentIndex: 1))
        batch.series.append(SeriesPoints(resourceIndex: 1, metric: "up", type: .gauge, labels: [:],
                                         points: [Sample(batch.createdAtMs, serverUp ? 1 : 0)]))
        return batch
    }

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: ServerHarness.adminBasic)
    }

    @Test func aRemovedServerAndItsServicesLeaveTheListsKeepTheirHistoryAndAreAudited() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            #expect(try await upload(client, BatchCodec.encode(Self.batch(sequence: 1))).status == .ok)
            let servers = try await Self.get(client, "/api/v1/resources?kind=server").data as? [[String: Any]] ?? []
            let serverID = try #require(servers.first?["id"] as? String)

            let removed = try await client.execute(uri: "/api/v1/resources/\(serverID)", method: .delete, headers: ServerHarness.adminBasic)
            #expect(removed.status == .ok)
            let data = try #require(removed.data as? [String: Any])
            #expect((data["removed"] as? [String])?.count == 2 && data["history"] as? String == "kept", "the server and its service: \(data)")
            #expect((try await Self.get(client, "/api/v1/resources?kind=server").data as? [[String: Any]] ?? []).isEmpty)
            #expect((try await Self.get(client, "/api/v1/resources?kind=service").data as? [[String: Any]] ?? []).isEmpty)

            let kept = try await Self.get(client, "/api/v1/resources/\(serverID)").data as? [String: Any] ?? [:]
            #expect(kept["availability"] as? String == "retired" && kept["removedMs"] is Int, "reachable by id: \(kept)")
            let events = try await Self.get(client, "/api/v1/events?resource=\(serverID)&kind=retired").data as? [[String: Any]] ?? []
            #expect((events.first?["message"] as? String)?.contains("redis :6379 and 1 below it removed by admin") == true, "\(events)")
            let audit = try await Self.get(client, "/api/v1/audit?action=resource.").data as? [[String: Any]] ?? []
            #expect(audit.first?["action"] as? String == "resource.remove" && audit.first?["target"] as? String == "resource:\(serverID)", "\(audit)")

            // The agent reports it again: it is back.
            #expect(try await upload(client, BatchCodec.encode(Self.batch(sequence: 2))).status == .ok)
            let back = try await Self.get(client, "/api/v1/resources?kind=server").data as? [[String: Any]] ?? []
            #expect(back.first?["id"] as? String == serverID && back.first?["availability"] as? String == "up", "\(back)")
        }
    }

    @Test func aPurgedResourceIsGoneByIdTooAndUnknownIdsAndBadChoicesAreRefused() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            #expect(try await upload(client, BatchCodec.encode(Self.batch(sequence: 1))).status == .ok)
            let platforms = try await Self.get(client, "/api/v1/resources?kind=platform").data as? [[String: Any]] ?? []
            let platformID = try #require(platforms.first?["id"] as? String)
            let bad = try await client.execute(uri: "/api/v1/resources/\(platformID)?history=shred", method: .delete, headers: ServerHarness.adminBasic)
            #expect(bad.status == .badRequest)
            let purged = try await client.execute(uri: "/api/v1/resources/\(platformID)?history=purge", method: .delete, headers: ServerHarness.adminBasic)
            #expect(purged.status == .ok && (purged.data as? [String: Any])?["history"] as? String == "purged")
            #expect(try await Self.get(client, "/api/v1/resources/\(platformID)").status == .notFound)
            #expect((try await Self.get(client, "/api/v1/resources").data as? [[String: Any]] ?? []).isEmpty, "the platform, its server and service are gone")
            let again = try await client.execute(uri: "/api/v1/resources/\(platformID)", method: .delete, headers: ServerHarness.adminBasic)
            #expect(again.status == .notFound)
        }
    }

    @Test func aServerDownForLongerThanTheSettingRetiresAndOneUpDoesNot() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            var batch = Self.batch(sequence: 1, serverUp: false)
            batch.resources.append(ResourceReport(kind: .server, key: "nginx:80", name: "nginx :80", parentIndex: 0))
            batch.series.append(SeriesPoints(resourceIndex: 3, metric: "up", type: .gauge, labels: [:], points: [Sample(batch.createdAtMs, 1)]))
            #expect(try await upload(client, BatchCodec.encode(batch)).status == .ok)
            let catalog = harness.server.catalog
            let now = WallClock.nowMs()
            #expect(try await catalog.retireGoneServers(afterMs: 3_600_000, nowMs: now).isEmpty, "not down long enough")
            #expect(try await catalog.retireGoneServers(afterMs: 0, nowMs: now + 86_400_000).isEmpty, "0 never retires")
            let retired = try await catalog.retireGoneServers(afterMs: 3_600_000, nowMs: now + 3_600_000 + 1)
            #expect(retired.map(\.message) == ["server redis :6379 is retired: down for longer than 1h (retire_servers_after); kept with its history"])
            let left = try await Self.get(client, "/api/v1/resources?kind=server").data as? [[String: Any]] ?? []
            #expect(left.compactMap { $0["name"] as? String } == ["nginx :80"])
            #expect(Removal.serverIsDue(availability: .down, sinceMs: .max - 1, afterMs: .max, nowMs: .max) == false, "no trap on extreme settings")
        }
    }
}
