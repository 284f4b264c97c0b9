import Foundation
import StrataAnalysis
import StrataCore

/// How the analysis reads Strata's series: which are workload counters (requests, queries), which memory with
/// which limit, which capacities (a filesystem's used bytes, derived from its size and available bytes), and which
/// plain levels (a counter as its per-second rate). Pure: series in, `SignalSeries` out.
enum SignalRoles {
    /// One series of a resource as it was read: metric, labels without the name, type and points.
    struct Input: Sendable {
        var metric: String
        var labels: [String: String]
        var type: MetricType
        var points: [TimePoint]
    }

    /// A series ready to become a `Signal`: its shown name, role and points.
    struct SignalSeries: Sendable {
        var metric: String
        var role: SignalRole
        var points: [TimePoint]
    }

    static let workloadWords = ["request", "queries", "commands", "transactions", "connections_accepted", "sessions_created", "handled"]
    static let memoryWords = ["heap", "memory_used", "resident_memory", "memory_bytes", "rss"]
    static let ratioWords = ["_ratio", "utilization", "utilisation"]

    /// The series of one resource, classified. Counters that count work are workloads; other counters become their
    /// per-second rates; shares of a whole (`*_ratio`, utilisation, all within 0…1) are capacities of 1; gauges with
    /// "used"/memory words find their limit in a sibling named with max, total, size or limit instead (or without
    /// "used": `cpu_used_cores` of `cpu_cores`); filesystems become used bytes out of their size.
    static func classify(_ inputs: [Input]) -> [SignalSeries] {
        var out: [SignalSeries] = []
        func sibling(_ metric: String, _ labels: [String: String]) -> Input? {
            inputs.first { $0.metric == metric && $0.labels == labels }
        }
        for input in inputs {
            let name = input.metric
            let shown = name + labelSuffix(input.labels)
            switch input.type {
            case .counter:
                if workloadWords.contains(where: name.contains) {
                    out.append(SignalSeries(metric: shown, role: .workload, points: input.points))
                } else {
                    out.append(SignalSeries(metric: "rate(\(shown))", role: .gauge, points: rate(input.points)))
                }
            case .gauge:
                if name == "filesystem_size_bytes" {
                    let free = sibling("filesystem_avail_bytes", input.labels) ?? sibling("filesystem_free_bytes", input.labels)
                    guard let free, let limit = input.points.last?.v, limit > 0 else { continue }
                    let used = zip(input.points, free.points).filter { $0.t == $1.t }.map { TimePoint($0.t, $0.v - $1.v) }
                    out.append(SignalSeries(metric: "filesystem_used_bytes" + labelSuffix(input.labels), role: .usage(limit: limit), points: used))
                    continue
                }
                if name.hasPrefix("filesystem_") { continue }
                if ratioWords.contains(where: name.contains), !input.points.isEmpty, input.points.allSatisfy({ $0.v >= 0 && $0.v <= 1.000001 }) {
                    // A share of a whole (CPU busy 0…1): its capacity is 1.
                    out.append(SignalSeries(metric: shown, role: .usage(limit: 1), points: input.points))
                    continue
                }
                if memoryWords.contains(where: name.contains) || name.contains("used") {
                    let names = ["max", "total", "size", "limit"].map { name.replacingUsed(with: $0) }
                        + [name.replacingOccurrences(of: "used_", with: ""), name.replacingOccurrences(of: "_used", with: "")]
                    let limit = names.lazy.filter { $0 != name }.compactMap { sibling($0, input.labels)?.points.last?.v }.first { $0 > 0 && $0.isFinite }
                    if memoryWords.contains(where: name.contains) {
                        out.append(SignalSeries(metric: shown, role: .memory(limit: limit), points: input.points))
                    } else if let limit {
                        out.append(SignalSeries(metric: shown, role: .usage(limit: limit), points: input.points))
                    } else {
                        out.append(SignalSeries(metric: shown, role: .gauge, points: input.points))
                    }
                } else {
                    out.append(SignalSeries(metric: shown, role: .gauge, points: input.points))
                }
            case .histogram, .summary:
                continue
            }
        }
        return out
    }

    /// `{a="1",b="2"}` for non-empty labels, sorted by name.
    static func labelSuffix(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        return "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// A counter's per-second rate between consecutive points (a fall is a reset: the new value is the rise).
    static func rate(_ points: [TimePoint]) -> [TimePoint] {
        zip(points, points.dropFirst()).compactMap { a, b in
            let seconds = TimePoint.span(from: a.t, to: b.t) / 1000
            guard seconds > 0, a.v.isFinite, b.v.isFinite else { return nil }
            return TimePoint(b.t, (b.v >= a.v ? b.v - a.v : b.v) / seconds)
        }
    }
}

extension String {
    /// The name with "used" (or, failing that, "free") replaced by `word`: memory_used_bytes → memory_max_bytes.
    func replacingUsed(with word: String) -> String {
        for part in ["used", "free"] {
            if let range = range(of: part) { return replacingCharacters(in: range, with: word) }
        }
        return self + "_" + word
    }
}
