/// Ranks candidate causes of a symptom (a resource's metric over a window) from the symptom's topological
/// neighbourhood: each candidate series is scored by how unusual it became in the window and how its changes move
/// with the symptom's (lag search, the candidate leading), memory series are tested for leaks attributed to their
/// server's workload counters, capacities for exhaustion, and recorded changes for a shift of the symptom right after
/// them. Evidence is weighed by topological distance and by precedence (a cause comes first), combined per resource,
/// and explained in one sentence with the numbers. Pure: the caller gathers the neighbourhood.
public enum RootCauseRanker {
    /// The symptom: a series of one resource and the window in which it misbehaves.
    public struct Symptom: Sendable, Hashable {
        /// The symptom's series (distance 0).
        public var signal: Signal
        /// The window (ms).
        public var from: Int64, to: Int64

        /// Creates a symptom.
        public init(signal: Signal, from: Int64, to: Int64) {
            self.signal = signal
            self.from = from
            self.to = to
        }
    }

    /// Weights.
    public struct Options: Sendable, Hashable {
        /// Each hop multiplies a candidate's score by 1 / (1 + this).
        public var distancePenalty = 0.15
        /// A candidate that became unusual only after the symptom keeps this share of its score.
        public var latePenalty = 0.5
        /// Changes at least this correlated with the symptom's, at no lag, are the symptom itself seen elsewhere.
        public var echoCorrelation = 0.97
        /// How many findings to return.
        public var limit = 10

        /// The defaults.
        public init() {}
    }

    /// The candidates of `signals` and `changes` ranked as causes of `symptom`. Throws `InsufficientData` when the
    /// symptom has fewer than 5 points in its window or the window is empty.
    public static func rank(_ symptom: Symptom, signals: [Signal], changes: [ChangeEvent] = [], options: Options = Options()) throws(InsufficientData) -> RootCauseReport {
        guard symptom.to > symptom.from else { throw InsufficientData("the symptom's window is empty: it must end after it starts") }
        guard let anomaly = Anomaly(symptom.signal.points, from: symptom.from, to: symptom.to) else {
            throw InsufficientData("the symptom \(symptom.signal.metric) of \(symptom.signal.resourceName) has fewer than 5 samples in the window")
        }
        let onset = anomaly.onset ?? symptom.from
        let context = Context(symptom: symptom, onset: onset)
        var evidence: [String: [(Evidence, Signal?, ChangeEvent?)]] = [:]
        var echoes: [String] = []
        let candidates = signals.filter { !($0.resourceID == symptom.signal.resourceID && $0.metric == symptom.signal.metric) }
        var correlations: [Int: LaggedCorrelation] = [:]
        for (index, signal) in candidates.enumerated() {
            let levels = LaggedCorrelation.levels(signal, on: context.grid)
            let correlation = LaggedCorrelation(candidate: levels, symptom: context.symptomLevels, step: context.step, maxLag: context.maxLag)
            correlations[index] = correlation
            if let correlation, correlation.leadMs == 0, correlation.r >= options.echoCorrelation {
                echoes.append("\(signal.metric) of \(signal.resourceName)")
                continue
            }
            if let found = correlationEvidence(signal, correlation: correlation, context: context) {
                evidence[signal.resourceID, default: []].append((found, signal, nil))
            }
            if let found = exhaustionEvidence(signal, context: context) {
                evidence[signal.resourceID, default: []].append((found, signal, nil))
            }
            if case .memory = signal.role {
                let workloads = candidates.filter { $0.role == .workload && $0.serverID != nil && $0.serverID == signal.serverID }
                if let (found, credited) = leakEvidence(signal, workloads: workloads, context: context) {
                    evidence[credited.resourceID, default: []].append((found, credited, nil))
                }
            }
        }
        for change in changes {
            if let found = changeEvidence(change, context: context) {
                evidence[change.resourceID, default: []].append((found, nil, change))
            }
        }
        demoteAggregates(&evidence, candidates: candidates, context: context)

        var findings: [RootCauseReport.Finding] = []
        for (resourceID, items) in evidence {
            let weighed = items.map { item -> (Evidence, Double) in
                let lead = item.0.leadMs ?? 0
                let precedence = lead < -context.tolerance ? options.latePenalty : 1
                return (item.0, item.0.strength * precedence)
            }.sorted { $0.1 > $1.1 }
            let first = items[0]
            let name = first.1?.resourceName ?? first.2!.resourceName
            let kind = first.1?.resourceKind ?? first.2!.resourceKind
            let relation = first.1?.relation ?? first.2!.relation
            let distance = items.map { $0.1?.distance ?? $0.2!.distance }.min() ?? 0
            let combined = 1 - weighed.reduce(1.0) { $0 * (1 - min(1, max(0, $1.1))) }
            let score = combined / (1 + options.distancePenalty * Double(max(0, distance)))
            guard score > 0.01 else { continue }
            findings.append(.init(resourceID: resourceID, resourceName: name, resourceKind: kind, relation: relation,
                                  distance: distance, score: score, evidence: weighed.map(\.0)))
        }
        findings.sort { $0.score != $1.score ? $0.score > $1.score : $0.resourceID < $1.resourceID }
        let top = Array(findings.prefix(max(0, options.limit)))
        return RootCauseReport(symptomOnsetMs: onset, findings: top, echoes: echoes.sorted(),
                               recommendation: top.first.map { recommendation(for: $0, symptom: symptom) })
    }

    typealias Evidence = RootCauseReport.Evidence

    /// What every evidence gatherer needs: the symptom read on the common grid, its onset and the tolerances.
    struct Context {
        var symptom: Symptom
        var onset: Int64
        var step: Int64
        var grid: [Int64]
        var symptomLevels: [Double?]
        var maxLag: Int
        /// Leads closer than this (two steps) count as simultaneous.
        var tolerance: Int64

        init(symptom: Symptom, onset: Int64) {
            self.symptom = symptom
            self.onset = onset
            let times = symptom.signal.points.map(\.t)
            step = max(1_000, CapacityForecast.medianSpacing(times))
            // The grid covers the window and as much history before it (so the relationship is seen in normal times).
            let length = TimePoint.span(from: symptom.from, to: symptom.to)
            let start = Double(symptom.from) - length
            let origin = max(Double(times.first ?? symptom.from), start > -9.2e18 ? start : -9.2e18)
            grid = LaggedCorrelation.grid(from: Int64(origin), to: symptom.to, step: step)
            symptomLevels = LaggedCorrelation.levels(symptom.signal, on: grid)
            maxLag = max(1, min(grid.count / 4, Int(length / Double(step) / 4)))
            tolerance = 2 * step
        }
    }
}
