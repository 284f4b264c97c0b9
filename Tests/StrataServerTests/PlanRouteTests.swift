import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// `POST /api/v1/analysis/plan` on physical machines imported with two days of utilisation (a P2V plan): every
/// machine placed within capacity, no fewer hosts than the lower bound, what-if changes consistent, bad requests
/// refused naming what is wrong.
@Suite struct PlanRouteTests {
    static let gib = 1_073_741_824.0

    /// Twelve machines; machine i uses about (1 + i % 4) cores and (4 + 2·(i % 5)) GiB, with a daily rhythm.
    static func document(end: Int64) -> String {
        let times = Array(stride(from: end - 2 * 86_400_000, through: end, by: 300_000))
        let resources = (0..<12).map { #"{"kind": "platform", "key": "phys-\#($0)"}"# }.joined(separator: ",")
        let series = (0..<12).flatMap { index -> [String] in
            let cores = Double(1 + index % 4), memory = Double(4 + 2 * (index % 5)) * gib
            let day = { (t: Int64) in 0.7 + 0.3 * sin(2 * Double.pi * Double(t % 86_400_000) / 86_400_000) }
            let cpu = times.map { "[\($0), \(cores * day($0))]" }.joined(separator: ",")
            let mem = times.map { "[\($0), \(memory * (0.9 + 0.1 * day($0)))]" }.joined(separator: ",")
            return [#"{"resource": "phys-\#(index)", "metric": "cpu_used_cores", "samples": [\#(cpu)]}"#,
                    #"{"resource": "phys-\#(index)", "metric": "memory_used_bytes", "samples": [\#(mem)]}"#]
        }.joined(separator: ",")
        return #"{"version": 1, "resources": [\#(resources)], "series": [\#(series)]}"#
    }

    static func plan(_ client: any TestClientProtocol, _ body: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await post(client, "/api/v1/analysis/plan", body, headers)
    }

    @Test func physicalMachinesArePlacedWithinCapacityAndWhatIfsAreConsistent() async throws {
        let end = WallClock.nowMs() / 300_000 * 300_000
        try await ServerHarness().test { client in
            #expect(try await post(client, "/api/v1/import", Self.document(end: end), ServerHarness.adminBasic).status == .ok)
            let hosts = #"[{"id": "r740", "cpu": 16, "memoryBytes": \#(64 * Self.gib), "count": 8}]"#
            let response = try await Self.plan(client, #"{"kind": "platform", "hosts": \#(hosts), "headroom": 0.2, "percentile": 95}"#)
            #expect(response.status == .ok, "\(String(buffer: response.body).prefix(400))")
            let plan = response.data as? [String: Any] ?? [:]
            let used = plan["hostsUsed"] as? Int ?? 0, bound = plan["lowerBound"] as? Int ?? 99
            #expect(used >= bound && bound >= 2 && used <= bound + 1, "used \(used), lower bound \(bound)")
            #expect((plan["unplaced"] as? [String])?.isEmpty == true && (plan["violations"] as? [String])?.isEmpty == true)
            for host in plan["hosts"] as? [[String: Any]] ?? [] {
                let load = host["load"] as? [String: Double] ?? [:]
                #expect((load["cpu"] ?? 99) <= 16 * 0.8 + 1e-9 && (load["memory"] ?? .infinity) <= 64 * Self.gib * 0.8 + 1)
            }
            // Growing every machine by 30 % never needs fewer hosts; removing a used host moves its machines.
            let ids = (plan["names"] as? [String: String] ?? [:]).keys.map { "\"\($0)\"" }.joined(separator: ",")
            let grown = try await Self.plan(client, #"{"kind": "platform", "hosts": \#(hosts), "headroom": 0.2, "whatIf": [{"grow": [\#(ids)], "factor": 1.3}]}"#)
            let growth = grown.data as? [String: Any] ?? [:]
            #expect(grown.status == .ok && (growth["hostDelta"] as? Int ?? -1) >= 0, "\(String(buffer: grown.body).prefix(300))")
            let usedHost = ((plan["hosts"] as? [[String: Any]])?.first?["host"] as? String) ?? "r740"
            let removed = try await Self.plan(client, #"{"kind": "platform", "hosts": \#(hosts), "headroom": 0.2, "whatIf": [{"removeHost": "\#(usedHost)"}]}"#)
            let removal = removed.data as? [String: Any] ?? [:]
            #expect(!((removal["moved"] as? [String]) ?? []).isEmpty, "\(String(buffer: removed.body).prefix(300))")
            #expect(((removal["after"] as? [String: Any])?["hosts"] as? [[String: Any]] ?? []).allSatisfy { $0["host"] as? String != usedHost })
        }
    }

    @Test func badPlansAreRefusedNamingWhatIsWrong() async throws {
        let end = WallClock.nowMs() / 300_000 * 300_000
        try await ServerHarness().test { client in
            #expect(try await post(client, "/api/v1/import", Self.document(end: end), ServerHarness.adminBasic).status == .ok)
            let hosts = #"[{"id": "h", "cpu": 16, "memoryBytes": 1e11}]"#
            let cases: [(String, String)] = [
                (#"{"kind": "rack", "hosts": \#(hosts)}"#, "kind must be vm or platform"),
                (#"{"kind": "platform", "hosts": \#(hosts), "whatIf": [{"removeHost": "h", "addLike": "x"}]}"#, "whatIf[0]"),
                (#"{"kind": "platform", "hosts": \#(hosts), "whatIf": [{"removeHost": "nope"}]}"#, "no workload or host"),
                (#"{"kind": "platform", "hosts": \#(hosts), "headroom": 2}"#, "headroom"),
                (#"{"kind": "platform", "hosts": [{"id": "h", "cpu": -1, "memoryBytes": 1}]}"#, "negative or non-finite"),
                (#"{"kind": "platform", "hosts": [{"id": "h", "cpu": 1, "memoryBytes": 1, "count": 1000000}]}"#, "count"),
                (#"{"kind": "platform", "percentile": 0, "hosts": \#(hosts)}"#, "percentile"),
                (#"{"kind": "platform", "hosts": \#(hosts), "colour": "red"}"#, "colour"),
            ]
            for (body, words) in cases {
                let response = try await Self.plan(client, body)
                #expect(response.status == .badRequest && String(buffer: response.body).contains(words), "\(body): \(String(buffer: response.body))")
            }
            let vms = try await Self.plan(client, #"{"kind": "vm", "hosts": \#(hosts)}"#)
            #expect(vms.status == .unprocessableContent, "no VM has history: \(String(buffer: vms.body))")
        }
    }
}
