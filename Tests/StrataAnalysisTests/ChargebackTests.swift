import Foundation
import StrataCore
import Testing
@testable import StrataAnalysis

/// Chargeback checked against a naive recomputation that walks every 10 s of the period over the raw allocations
/// and samples, on seeded random VMs (allocations resized, created and deleted around the period, CPU samples with
/// gaps, network counters with resets).
@Suite struct ChargebackTests {
    static let tick: Int64 = 10_000
    static let card = RateCard(currency: "EUR", vcpuHour: 0.02, memoryGBHour: 0.005, storageGBDay: 0.003, networkGB: 0.01, cpuCoreHourUsed: 0.04)

    static func records(seed: UInt64, from: Int64, to: Int64) -> [UsageRecord] {
        var random = SplitMix64(state: seed)
        func onTick(_ t: Int64) -> Int64 { t / tick * tick }
        return (0..<12).map { index in
            var allocations: [UsageRecord.Allocation] = []
            var t = onTick(from - Int64.random(in: 0...(to - from) / 2, using: &random))
            let end = onTick(to + Int64.random(in: -(to - from) / 2...(to - from) / 2, using: &random))
            while t < end {
                let next = min(end, onTick(t + Int64.random(in: 3_600_000...40 * 3_600_000, using: &random)))
                allocations.append(.init(from: t, to: next, vcpus: Double(Int.random(in: 1...16, using: &random)),
                                         memoryBytes: Double(Int.random(in: 1...64, using: &random)) * 1_073_741_824,
                                         storageBytes: Double(Int.random(in: 10...500, using: &random)) * 1_073_741_824))
                t = next
            }
            var cpu: [TimePoint] = [], network: [TimePoint] = []
            var time = allocations.first?.from ?? from, counter = 0.0
            while time < end {
                if Int.random(in: 0..<50, using: &random) != 0 {      // a missed sample now and then
                    cpu.append(TimePoint(time, Double.random(in: 0...4, using: &random)))
                }
                counter = Int.random(in: 0..<2_000, using: &random) == 0 ? 0 : counter + Double.random(in: 0...5e6, using: &random)
                network.append(TimePoint(time, counter))
                time += Int64.random(in: 1...3, using: &random) * 2 * tick
            }
            return UsageRecord(id: "vm-\(index)", name: "vm \(index), \"db\"", tenant: "t\(index % 3)", groups: index % 2 == 0 ? ["even", "all"] : ["all"],
                               application: index < 6 ? "crm" : nil, allocations: allocations, cpuUsedCores: cpu,
                               networkBytes: [network, network.map { TimePoint($0.t, $0.v / 2) }])
        }
    }

    /// Every 10 s of the period: what was allocated, what CPU sample held (until the next sample, at most twice the
    /// median spacing), and the counter's rise between samples (a fall is a reset: the rise is the new value).
    static func naive(_ record: UsageRecord, from: Int64, to: Int64) -> Chargeback.Quantities {
        var q = Chargeback.Quantities()
        let hours = Double(tick) / 3_600_000, gb = 1_073_741_824.0
        let gaps = zip(record.cpuUsedCores.dropFirst(), record.cpuUsedCores).map { Double($0.t - $1.t) }.sorted()
        let hold = gaps.isEmpty ? 2.0 : 2 * (gaps.count % 2 == 1 ? gaps[gaps.count / 2] : (gaps[gaps.count / 2 - 1] + gaps[gaps.count / 2]) / 2)
        var latest = -1          // the last CPU sample at or before t, found by walking forward with t
        for t in stride(from: from, to: to, by: Int(tick)) {
            while latest + 1 < record.cpuUsedCores.count, record.cpuUsedCores[latest + 1].t <= t { latest += 1 }
            if let a = record.allocations.first(where: { $0.from <= t && t < $0.to }) {
                q.vcpuHours += a.vcpus * hours
                q.memoryGBHours += a.memoryBytes / gb * hours
                q.storageGBDays += a.storageBytes / gb * hours / 24
            }
            if latest >= 0 {
                let index = latest
                let sample = record.cpuUsedCores[index]
                let next = index + 1 < record.cpuUsedCores.count ? Double(record.cpuUsedCores[index + 1].t - sample.t) : hold / 2
                if Double(t - sample.t) < min(next, hold) { q.cpuCoreHoursUsed += sample.v * hours }
            }
        }
        // The counter rises evenly between two samples: a pair straddling an end of the period counts in part.
        for counter in record.networkBytes {
            for (a, b) in zip(counter, counter.dropFirst()) {
                let inside = Double(max(0, min(b.t, to) - max(a.t, from))) / Double(b.t - a.t)
                q.networkGB += (b.v >= a.v ? b.v - a.v : b.v) * inside / gb
            }
        }
        return q
    }

    @Test func totalsEqualANaiveRecomputationFromTheRawSamples() throws {
        let from: Int64 = 1_700_000_000_000 / Self.tick * Self.tick, to = from + 3 * 86_400_000
        for seed in [UInt64(11), 12, 13] {
            let records = Self.records(seed: seed, from: from, to: to)
            let report = try Chargeback.report(records, from: from, to: to, card: Self.card)
            for record in records {
                let line = try #require(report.vms.first { $0.key == record.id })
                let expected = Self.naive(record, from: from, to: to)
                for (name, got, want) in [("vcpu", line.quantities.vcpuHours, expected.vcpuHours), ("memory", line.quantities.memoryGBHours, expected.memoryGBHours),
                                          ("storage", line.quantities.storageGBDays, expected.storageGBDays), ("cpu", line.quantities.cpuCoreHoursUsed, expected.cpuCoreHoursUsed),
                                          ("network", line.quantities.networkGB, expected.networkGB)] {
                    #expect(abs(got - want) <= 1e-9 * max(1, abs(want)), "seed \(seed) \(record.id) \(name): \(got) vs \(want)")
                }
                #expect(abs(line.cost - expected.cost(Self.card)) <= 1e-9 * max(1, line.cost))
            }
            // Tenants and applications partition the VMs; groups count a VM fully in each of its groups.
            #expect(abs(report.tenants.map(\.cost).reduce(0, +) - report.total.cost) <= 1e-9 * report.total.cost)
            #expect(abs(report.vms.map(\.cost).reduce(0, +) - report.total.cost) <= 1e-9 * report.total.cost)
            let all = try #require(report.groups.first { $0.key == "all" })
            #expect(abs(all.cost - report.total.cost) <= 1e-9 * report.total.cost)
            let crm = records.filter { $0.application == "crm" }.map(\.id)
            let crmCost = report.vms.filter { crm.contains($0.key) }.map(\.cost).reduce(0, +)
            #expect(abs((report.applications.first { $0.key == "crm" }?.cost ?? -1) - crmCost) <= 1e-9 * crmCost)
        }
    }

    @Test func theCSVHasAHeaderARowPerLineAndQuotesNamesWithCommas() throws {
        let from: Int64 = 0, to: Int64 = 86_400_000
        let report = try Chargeback.report(Self.records(seed: 5, from: from, to: to), from: from, to: to, card: Self.card)
        let rows = report.csv().split(separator: "\n")
        #expect(rows.first == "scope,key,name,vcpu_hours,memory_gb_hours,storage_gb_days,network_gb,cpu_core_hours_used,cost,currency")
        #expect(rows.count == 1 + report.vms.count + report.tenants.count + report.groups.count + report.applications.count + 1)
        #expect(rows.contains { $0.hasPrefix("vm,vm-0,\"vm 0, \"\"db\"\"\",") })
    }

    @Test func aRateCardRefusesNegativeOrMissingNumbersByName() throws {
        let good = try JSONDecoder().decode(RateCard.self, from: Data(#"{"currency": "USD", "vcpuHour": 0.03}"#.utf8))
        #expect(good.vcpuHour == 0.03 && good.memoryGBHour == 0 && good.currency == "USD")
        #expect {
            try JSONDecoder().decode(RateCard.self, from: Data(#"{"networkGB": -1}"#.utf8))
        } throws: { "\($0)".contains("networkGB must be a finite price") }
        #expect(throws: InsufficientData.self) { try Chargeback.report([], from: 10, to: 10, card: Self.card) }
    }
}
