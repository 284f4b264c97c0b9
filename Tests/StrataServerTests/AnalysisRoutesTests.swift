import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCatalog
import StrataCore
import Testing
@testable import StrataServer

/// The analysis routes over an estate loaded through `POST /api/v1/import` (`AnalysisWorld`, seeded): root causes
/// found across the layers from the catalog's topology and placement history, the capacity list, and bad requests.
@Suite struct AnalysisRoutesTests {
    static func id(_ kind: ResourceKind, _ key: String, tenant: String = "default") -> String {
        StableID.resource(tenant: tenant, kind: kind, key: key).description
    }

    static func load(_ client: any TestClientProtocol, _ world: AnalysisWorld) async throws {
        let response = try await post(client, "/api/v1/import", try world.json(), ServerHarness.adminBasic)
        #expect(response.status == .ok, "\(String(buffer: response.body).prefix(500))")
        #expect((response.data as? [String: Any])?["eventsAdded"] as? Int == world.events.count)
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers)
    }

    static func rootCause(_ client: any TestClientProtocol, _ world: AnalysisWorld, _ kind: ResourceKind, _ key: String, _ metric: String,
                          hours: Int64) async throws -> [String: Any] {
        let from = world.end - hours * 3_600_000
        let response = try await get(client, "/api/v1/analysis/root-cause?resource=\(id(kind, key))&metric=\(metric)&from=\(from)&to=\(world.end)")
        #expect(response.status == .ok, "\(String(buffer: response.body).prefix(500))")
        return response.data as? [String: Any] ?? [:]
    }

    static func first(_ report: [String: Any]) -> [String: Any] {
        (report["findings"] as? [[String: Any]])?.first ?? [:]
    }

    /// Loads the estate of `seed`, asks for the causes of `metric` of the resource (`kind`, `key`) over the last
    /// `hours`, and hands the report and its first finding to `check`.
    static func diagnose(seed: UInt64, _ kind: ResourceKind, _ key: String, _ metric: String, hours: Int64,
                         _ check: @escaping @Sendable (AnalysisWorld, [String: Any], [String: Any], any TestClientProtocol) async throws -> Void) async throws {
        let world = AnalysisWorld(seed: seed)
        try await ServerHarness().test { client in
            try await load(client, world)
            let report = try await rootCause(client, world, kind, key, metric, hours: hours)
            try await check(world, report, first(report), client)
        }
    }

    @Test(arguments: [UInt64(3), 17, 29, 40, 51, 62])
    func theLeakingWebappRanksFirstForTheCRMVMsCPUAcrossTheLayersOfAnImportedEstate(seed: UInt64) async throws {
        try await Self.diagnose(seed: seed, .vm, "vm:crm", "cpu_usage_ratio", hours: 48) { world, report, top, _ in
            #expect(top["resourceId"] as? String == Self.id(.service, world.leakingWebapp), "\(report["findings"] ?? "none")")
            let leak = (top["evidence"] as? [[String: Any]])?.first ?? [:]
            #expect(leak["kind"] as? String == "leak")
            let predicted = try #require(leak["exhaustionMs"] as? Int64 ?? (leak["exhaustionMs"] as? Int).map(Int64.init))
            if world.heapFullTruth <= world.end + AnalysisWorld.step {
                #expect(predicted <= world.end + AnalysisWorld.step, "the heap is already at its maximum")
            } else {
                // Within 20 % of the time left; when less than a day is left, within a fifth of a day (the rhythm of
                // the traffic alone moves the crossing by hours).
                let error = abs(Double(predicted - world.heapFullTruth)) / Double(max(world.heapFullTruth - world.end, AnalysisWorld.day))
                #expect(error < 0.2, "heap full at \(predicted), truly at \(world.heapFullTruth), the history ends at \(world.end)")
            }
            #expect((report["recommendation"] as? String)?.hasPrefix("restart") == true, "\(report["recommendation"] ?? "none")")
            #expect((report["echoes"] as? [String])?.contains { $0.contains("crm-guest") } == true, "the guest's CPU is the VM's seen from inside")
        }
    }

    @Test(arguments: [UInt64(5), 8, 21, 34, 44, 55, 66, 77])
    func aNoisyNeighbourFoundThroughThePlacementHistoryWinsForASlowServiceInAnotherVM(seed: UInt64) async throws {
        try await Self.diagnose(seed: seed, .service, "erp-guest/nginx/checkout", "request_latency_seconds", hours: 24) { world, report, top, _ in
            #expect(top["resourceId"] as? String == Self.id(.vm, world.noisyVM), "\(report["findings"] ?? "none")")
            #expect((report["recommendation"] as? String)?.hasPrefix("cap or move") == true, "\(report["recommendation"] ?? "none")")
            let names = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["resourceName"] as? String }
            #expect(!names.contains("far"), "a VM on another host is not a neighbour")
        }
    }

    @Test(arguments: [UInt64(13), 22, 35, 46, 57])
    func aFullMailSpoolWinsForPostfixsErrorsOverTheNeighboursSpikesAndAWarmingCache(seed: UInt64) async throws {
        try await Self.diagnose(seed: seed, .server, "mail-guest/postfix", "smtp_errors_per_second", hours: 24) { _, report, top, _ in
            #expect(top["resourceId"] as? String == Self.id(.platform, "mail-guest"), "\(report["findings"] ?? "none")")
            let evidence = (top["evidence"] as? [[String: Any]])?.first ?? [:]
            #expect(evidence["kind"] as? String == "exhaustion" && (evidence["subject"] as? String)?.contains("/var/spool") == true, "\(evidence)")
            #expect((report["recommendation"] as? String)?.hasPrefix("free or grow") == true)
        }
    }

    @Test(arguments: [UInt64(7), 19, 31, 42, 53])
    func anImportedConfigurationChangeFollowedByErrorsWinsOverAnEarlierHarmlessOne(seed: UInt64) async throws {
        try await Self.diagnose(seed: seed, .service, "build-guest/nginx/shop", "http_errors_per_second", hours: 24) { world, report, top, client in
            #expect(top["resourceId"] as? String == Self.id(.server, "build-guest/nginx"), "\(report["findings"] ?? "none")")
            #expect((top["evidence"] as? [[String: Any]])?.first?["kind"] as? String == "change")
            #expect((report["recommendation"] as? String)?.contains("shop.conf") == true, "\(report["recommendation"] ?? "none")")
            // Importing the same document again stores no event twice.
            let again = try await post(client, "/api/v1/import", try world.json(), ServerHarness.adminBasic)
            #expect((again.data as? [String: Any])?["eventsAdded"] as? Int == 0, "\(String(buffer: again.body).prefix(300))")
        }
    }

    @Test func theCapacityListRanksTheFillingFilesystemWithATimeNearTheTruth() async throws {
        let world = AnalysisWorld(seed: 9)
        try await ServerHarness().test { client in
            try await Self.load(client, world)
            let response = try await Self.get(client, "/api/v1/analysis/capacity?from=\(world.end - 14 * AnalysisWorld.day)&to=\(world.end)")
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(500))")
            let items = response.data as? [[String: Any]] ?? []
            let filesystem = try #require(items.first { ($0["metric"] as? String) == #"filesystem_used_bytes{mountpoint="/"}"# }, "\(items)")
            #expect(filesystem["resourceId"] as? String == Self.id(.platform, world.fillingGuest))
            let crossing = try #require(filesystem["crossingMs"] as? Int64 ?? (filesystem["crossingMs"] as? Int).map(Int64.init))
            let error = abs(Double(crossing - world.fillTruth)) / Double(world.fillTruth - world.end)
            #expect(error < 0.2, "crossing \(crossing) vs truth \(world.fillTruth)")
            #expect(items.contains { ($0["metric"] as? String) == "tomcat_jvm_memory_used_bytes" }, "the heap with its maximum is a capacity too")
            let cpu = items.first { $0["metric"] as? String == "cpu_usage_ratio" && $0["resourceId"] as? String == Self.id(.vm, "vm:crm") }
            #expect(cpu?["limit"] as? Double == 1, "the CRM VM's CPU is a share of a whole: \(String(describing: cpu))")
        }
    }

    @Test func theLeakListHasTomcatsHeapAttributedToTheLeakingWebappWithItsTimeToTheMaximum() async throws {
        let world = AnalysisWorld(seed: 11)
        try await ServerHarness().test { client in
            try await Self.load(client, world)
            let response = try await Self.get(client, "/api/v1/analysis/leaks?from=\(world.end - 14 * AnalysisWorld.day)&to=\(world.end)")
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(500))")
            let leaks = response.data as? [[String: Any]] ?? []
            #expect(leaks.count == 1, "only Tomcat's heap leaks: \(leaks)")
            let leak = try #require(leaks.first)
            #expect(leak["resourceId"] as? String == Self.id(.server, "crm-guest/tomcat"))
            let attributed = leak["attributedTo"] as? [String: Any] ?? [:]
            #expect(attributed["resourceId"] as? String == Self.id(.service, world.leakingWebapp), "\(leak)")
            #expect(leak["exhaustionMs"] != nil && (leak["slopePerHour"] as? Double ?? 0) > 0)
        }
    }

    @Test func anAlertOnTheCRMVMsCPUGivesItsResourceMetricAndWindowToTheRanking() async throws {
        let world = AnalysisWorld(seed: 3)
        let harness = try ServerHarness()
        try await harness.test { client in
            try await Self.load(client, world)
            let vm = Self.id(.vm, "vm:crm")
            let alert = AlertRecord(id: "alert-crm-cpu", tenantID: "default", definitionID: "crm-cpu", definitionName: "crm-cpu", subject: vm,
                                    resourceID: vm, state: "firing", severity: .warning, flapping: false,
                                    labelsJSON: #"{"__name__": "cpu_usage_ratio"}"#, annotationsJSON: "{}", value: 0.93,
                                    startsMs: world.end - 3 * 3_600_000, updatedMs: world.end, heldBy: nil, lifecycleJSON: "{}")
            _ = try await harness.server.catalog.apply([AlertChange(alert: alert, history: [], notifications: [], events: [])], nowMs: world.end)
            let response = try await Self.get(client, "/api/v1/analysis/root-cause?alert=alert-crm-cpu")
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(400))")
            let report = response.data as? [String: Any] ?? [:]
            #expect(Self.first(report)["resourceId"] as? String == Self.id(.service, world.leakingWebapp), "\(report["findings"] ?? "none")")
            #expect(try await Self.get(client, "/api/v1/analysis/root-cause?alert=nope").status == .notFound)
        }
    }

    @Test func badRequestsAreRefusedAndAnotherTenantSeesNothing() async throws {
        let world = AnalysisWorld(seed: 1, days: 2)
        try await ServerHarness().test { client in
            try await Self.load(client, world)
            let vm = Self.id(.vm, "vm:crm")
            #expect(try await Self.get(client, "/api/v1/analysis/root-cause?metric=cpu_usage_ratio").status == .badRequest)
            #expect(try await Self.get(client, "/api/v1/analysis/root-cause?resource=\(vm)").status == .badRequest)
            #expect(try await Self.get(client, "/api/v1/analysis/root-cause?resource=nope&metric=x").status == .notFound)
            #expect(try await Self.get(client, "/api/v1/analysis/root-cause?resource=\(vm)&metric=no_such_metric").status == .notFound)
            let empty = try await Self.get(client, "/api/v1/analysis/root-cause?resource=\(vm)&metric=cpu_usage_ratio&from=\(world.end)&to=\(world.end)")
            #expect(empty.status == .badRequest)
            let tooShort = try await Self.get(client, "/api/v1/analysis/root-cause?resource=\(vm)&metric=cpu_usage_ratio&from=\(world.end - 600_000)&to=\(world.end)")
            #expect(tooShort.status == .unprocessableContent, "\(String(buffer: tooShort.body))")
            #expect(String(buffer: tooShort.body).contains("fewer than 5 samples"))
            // Another tenant's admin: the resource is not there, the capacity list is empty.
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let stranger = try await Self.get(client, "/api/v1/analysis/root-cause?resource=\(vm)&metric=cpu_usage_ratio", boss)
            #expect(stranger.status == .notFound)
            let capacity = try await Self.get(client, "/api/v1/analysis/capacity?from=\(world.end - 2 * AnalysisWorld.day)&to=\(world.end)", boss)
            #expect(capacity.status == .ok && (capacity.data as? [Any])?.isEmpty == true, "\(String(buffer: capacity.body).prefix(300))")
            let own = try await Self.get(client, "/api/v1/analysis/capacity?from=\(world.end - 2 * AnalysisWorld.day)&to=\(world.end)")
            #expect((own.data as? [Any])?.isEmpty == false)
        }
    }
}
