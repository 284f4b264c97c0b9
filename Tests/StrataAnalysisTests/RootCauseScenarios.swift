import Foundation
import StrataCore
@testable import StrataAnalysis

/// Generated incidents with a known cause, seeded: the symptom, the neighbourhood a server would gather for it
/// (signals with their topological relation), recorded changes, and the truth. Names, sizes, rates and times are
/// drawn from the seed so that no test can lean on a constant.
struct RootCauseScenario {
    var symptom: RootCauseRanker.Symptom
    var signals: [Signal]
    var changes: [ChangeEvent] = []
    /// The resource that must rank first.
    var cause: String
    /// For a leak: when the leaking memory truly reaches its limit.
    var exhaustionMs: Int64?

    static let step: Int64 = 300_000
    static let day: Int64 = 86_400_000

    /// A noise source: roughly normal values from a seeded stream.
    struct Noise {
        var random: SplitMix64
        init(_ seed: UInt64) { random = SplitMix64(state: seed) }
        mutating func normal() -> Double { (0..<4).reduce(0.0) { s, _ in s + Double.random(in: -1...1, using: &random) } * 0.866 }
        mutating func uniform(_ range: ClosedRange<Double>) -> Double { Double.random(in: range, using: &random) }
        mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &random)] }
    }

    /// Times every 5 minutes over `days`.
    static func times(days: Int) -> [Int64] { stride(from: Int64(0), to: Int64(days) * day, by: Int(step)).map { $0 } }

    /// A daily rhythm between 0.4 and 1.0, peaking in the afternoon.
    static func rhythm(_ t: Int64) -> Double { 0.7 - 0.3 * cos(2 * Double.pi * (Double(t % day) / Double(day) - 0.1)) }

    static func gauge(_ id: String, _ name: String, _ kind: String, _ metric: String, _ relation: String, _ distance: Int,
                      role: SignalRole = .gauge, server: String? = nil, aggregate: Bool = false, onPath: Bool = true, restarts: [Int64] = [],
                      _ values: [TimePoint]) -> Signal {
        Signal(resourceID: id, resourceName: name, resourceKind: kind, metric: metric, role: role, relation: relation,
               distance: distance, serverID: server, aggregate: aggregate, onPath: onPath, points: values, restarts: restarts)
    }

    /// Background neighbours every scenario has: VMs on the same host with noisy CPU, one with a transient spike in
    /// the window, and a cache on one of them warming up (rising, then flat) in the window.
    static func distractors(_ noise: inout Noise, times: [Int64], windowFrom: Int64, count: Int) -> [Signal] {
        var signals: [Signal] = []
        let spikeAt = windowFrom + Int64(noise.uniform(0.1...0.6) * Double(times.last! - windowFrom))
        let warmAt = windowFrom + Int64(noise.uniform(0.0...0.3) * Double(times.last! - windowFrom))
        for index in 0..<count {
            let id = "vm-n\(index)-\(Int(noise.uniform(100...999)))"
            let base = noise.uniform(0.1...0.4)
            let values = times.map { t in
                var v = base * (0.6 + 0.6 * rhythm(t)) + 0.02 * noise.normal()
                if index == 0, t >= spikeAt, t < spikeAt + 30 * 60_000 { v += 0.5 }
                return TimePoint(t, v)
            }
            signals.append(gauge(id, id, "vm", "cpu_usage_ratio", "a VM on the same host", 2, onPath: false, values))
            if index == 1 {
                let cache = "cache-\(Int(noise.uniform(10...99)))"
                let limit = noise.uniform(2e9...4e9)
                let memory = times.map { t -> TimePoint in
                    guard t >= warmAt else { return TimePoint(t, limit * 0.1 * (1 + 0.01 * noise.normal())) }
                    let warm = 1 - exp(-Double(t - warmAt) / Double(3 * 3_600_000))
                    return TimePoint(t, limit * (0.1 + 0.5 * warm) * (1 + 0.01 * noise.normal()))
                }
                signals.append(gauge(cache, cache, "server", "process_resident_memory_bytes", "a server on a VM on the same host", 4,
                                     role: .memory(limit: limit), server: cache, onPath: false, memory))
            }
        }
        return signals
    }
}
