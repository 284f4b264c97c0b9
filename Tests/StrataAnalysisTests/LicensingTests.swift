import Foundation
import StrataCore
import Testing
@testable import StrataAnalysis

/// Licensing counts checked against a brute-force count at every instant that matters (each start and end of an
/// instance or a placement) over seeded random histories of instances in VMs that move between hosts.
@Suite struct LicensingTests {
    static func history(seed: UInt64, from: Int64, to: Int64) -> ([Licensing.Instance], [Licensing.Placement]) {
        var random = SplitMix64(state: seed)
        let span = to - from
        var placements: [Licensing.Placement] = []
        for vm in 0..<8 {
            var t = from - Int64.random(in: 0...span / 4, using: &random)
            while t < to + span / 4 {
                let next = t + Int64.random(in: span / 20...span / 3, using: &random)
                if Int.random(in: 0..<6, using: &random) != 0 {       // sometimes not placed (powered off)
                    placements.append(.init(vmID: "vm\(vm)", hostID: "host\(Int.random(in: 0..<3, using: &random))", from: t, to: next))
                }
                t = next
            }
        }
        let instances = (0..<30).map { index -> Licensing.Instance in
            let start = from + Int64.random(in: -span / 4...span, using: &random)
            let physical = index % 7 == 0
            return Licensing.Instance(id: "i\(index)", type: ["tomcat", "nginx", "mysql"][index % 3],
                                      vmID: physical ? nil : "vm\(Int.random(in: 0..<8, using: &random))",
                                      hostID: physical ? "host\(Int.random(in: 0..<3, using: &random))" : nil,
                                      from: start, to: start + Int64.random(in: 1...span / 2, using: &random))
        }
        return (instances, placements)
    }

    /// The most instances of `type` active at once where `counts(instance, t)` and the first instant of it.
    static func bruteForce(_ instances: [Licensing.Instance], times: [Int64], type: String, counts: (Licensing.Instance, Int64) -> Bool) -> (Int, Int64) {
        var best = 0, at: Int64 = 0
        for t in times {
            let n = instances.filter { $0.type == type && $0.from <= t && t < $0.to && counts($0, t) }.count
            if n > best { best = n; at = t }
        }
        return (best, at)
    }

    @Test func peaksOverallPerHostAndPerVMEqualABruteForceCountOverThePlacementHistory() throws {
        let from: Int64 = 1_000_000, to: Int64 = 31 * 86_400_000
        for seed in [UInt64(1), 2, 3, 4] {
            let (instances, placements) = Self.history(seed: seed, from: from, to: to)
            let report = try Licensing.count(instances, placements: placements, from: from, to: to)
            let times = Set([from] + instances.flatMap { [$0.from, $0.to] } + placements.flatMap { [$0.from, $0.to] })
                .filter { $0 >= from && $0 < to }.sorted()
            for type in ["tomcat", "nginx", "mysql"] {
                let (peak, at) = Self.bruteForce(instances, times: times, type: type) { _, _ in true }
                let line = report.overall.first { $0.type == type }
                #expect((line?.peak ?? 0) == peak && (peak == 0 || line?.at == at), "seed \(seed) \(type): \(String(describing: line)) vs \(peak) at \(at)")
                for host in ["host0", "host1", "host2"] {
                    let (hostPeak, hostAt) = Self.bruteForce(instances, times: times, type: type) { instance, t in
                        if let vm = instance.vmID {
                            return placements.contains { $0.vmID == vm && $0.hostID == host && $0.from <= t && t < $0.to }
                        }
                        return instance.hostID == host
                    }
                    let hostLine = report.hosts.first { $0.scope == host && $0.type == type }
                    #expect((hostLine?.peak ?? 0) == hostPeak && (hostPeak == 0 || hostLine?.at == hostAt),
                            "seed \(seed) \(host) \(type): \(String(describing: hostLine)) vs \(hostPeak) at \(hostAt)")
                }
                for vm in (0..<8).map({ "vm\($0)" }) {
                    let (vmPeak, _) = Self.bruteForce(instances, times: times, type: type) { instance, _ in instance.vmID == vm }
                    #expect((report.vms.first { $0.scope == vm && $0.type == type }?.peak ?? 0) == vmPeak)
                }
            }
        }
    }

    @Test func anInstanceWhoseVMMovesIsCountedOnceOverallAndOnEachHostItVisited() throws {
        let instances = [Licensing.Instance(id: "tomcat-1", type: "tomcat", vmID: "crm", from: 0, to: 100)]
        let placements = [Licensing.Placement(vmID: "crm", hostID: "a", from: 0, to: 40), .init(vmID: "crm", hostID: "b", from: 40, to: 100)]
        let report = try Licensing.count(instances, placements: placements, from: 0, to: 100)
        #expect(report.overall == [.init(scope: "all", type: "tomcat", peak: 1, at: 0, distinct: 1)])
        #expect(report.hosts.map(\.scope) == ["a", "b"] && report.hosts.allSatisfy { $0.peak == 1 })
        #expect(throws: InsufficientData.self) { try Licensing.count(instances, placements: placements, from: 5, to: 5) }
    }
}
