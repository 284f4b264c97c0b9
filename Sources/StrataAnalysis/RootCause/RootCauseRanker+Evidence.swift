extension RootCauseRanker {
    /// The candidate became unusual in the window and its changes move with the symptom's.
    static func correlationEvidence(_ signal: Signal, correlation: LaggedCorrelation?, context: Context) -> Evidence? {
        guard let correlation, let anomaly = Anomaly(signal.points, from: context.symptom.from, to: context.symptom.to),
              let onset = anomaly.onset else { return nil }
        let strength = abs(correlation.r) * anomaly.strength
        guard strength > 0.05 else { return nil }
        let lead = max(TimePoint.span(from: onset, to: context.onset), Double(correlation.leadMs))
        let leadMs = Int64(max(-9.2e18, min(9.2e18, lead)))
        let direction = anomaly.level > 0 ? "rose" : "fell"
        let sentence = "\(signal.metric) of \(signal.resourceName) (\(signal.relation)) \(direction) \(Wording.relative(leadMs)) "
            + "\(context.symptom.signal.metric) of \(context.symptom.signal.resourceName) and moves with it "
            + "(r = \(Wording.significant(correlation.r))\(correlation.leadMs > 0 ? ", leading by \(Wording.duration(correlation.leadMs))" : ""); "
            + "\(Wording.significant(abs(anomaly.level))) times its usual spread)"
        return Evidence(kind: .correlation, subject: signal.metric, strength: strength, correlation: correlation.r,
                        leadMs: leadMs, exhaustionMs: nil, sentence: sentence)
    }

    /// A capacity (disk, a heap with a maximum) at 90 % or more of its limit in the window, reached by growth.
    static func exhaustionEvidence(_ signal: Signal, context: Context) -> Evidence? {
        guard let limit = signal.role.limit, limit > 0, limit.isFinite else { return nil }
        let inside = signal.points.filter { $0.t >= context.symptom.from && $0.t <= context.symptom.to && $0.v.isFinite }
        guard let peak = inside.map(\.v).max(), peak / limit >= 0.9,
              let reached = inside.first(where: { $0.v / limit >= 0.9 }) else { return nil }
        let history = signal.points.filter { $0.t <= context.symptom.to && $0.v.isFinite }
        let growth = TheilSen(history.suffix(500).map { (x: TimePoint.span(from: history[0].t, to: $0.t) / 86_400_000, y: $0.v) })
        guard let perDay = growth?.slope, perDay > 0 else { return nil }
        let share = min(1, peak / limit)
        let strength = min(1, (share - 0.85) / 0.13) * (signal.onPath ? 1 : offPath)
        let leadMs = Int64(max(-9.2e18, min(9.2e18, TimePoint.span(from: reached.t, to: context.onset))))
        let bytes = signal.metric.contains("byte")
        let sentence = "\(signal.metric) of \(signal.resourceName) (\(signal.relation)) reached \(Int((share * 100).rounded())) % "
            + "of its \(Wording.amount(limit, bytes: bytes)) limit \(Wording.relative(leadMs)) \(context.symptom.signal.metric) of "
            + "\(context.symptom.signal.resourceName) changed, growing \(Wording.amount(perDay, bytes: bytes)) a day"
        return Evidence(kind: .exhaustion, subject: signal.metric, strength: strength, correlation: nil, leadMs: leadMs,
                        exhaustionMs: nil, sentence: sentence)
    }

    /// What a leak or a full capacity off the symptom's causal path (in a neighbour that only shares the host) keeps
    /// of its strength: it can hardly cause the symptom unless the symptom moves with it, which correlation finds.
    static let offPath = 0.25

    /// A memory series that leaks (sustained growth between restarts), credited to the workload counter of its
    /// server whose increments its increments follow (r ≥ 0.5), else to its own resource.
    static func leakEvidence(_ memory: Signal, workloads: [Signal], context: Context) -> (Evidence, Signal)? {
        let history = memory.points.filter { $0.t <= context.symptom.to }
        guard let finding = try? LeakDetector.assess(history, restarts: memory.restarts), finding.isLeak,
              let growing = finding.segments.last(where: { $0.verdict == .growing }) else { return nil }
        var counters: [String: [TimePoint]] = [:]
        var byKey: [String: Signal] = [:]
        for workload in workloads {
            let key = "\(workload.resourceID)\u{1F}\(workload.metric)"
            counters[key] = workload.points.filter { $0.t <= context.symptom.to }
            byKey[key] = workload
        }
        let attribution = counters.isEmpty ? nil : (try? LeakAttribution.rank(memory: history, counters: counters, restarts: memory.restarts))?.first
        let rise = growing.slopePerHour * TimePoint.span(from: growing.start, to: growing.end) / 3_600_000
        let bytes = memory.metric.contains("byte") || memory.metric.contains("heap") || memory.metric.contains("memory")
        var exhaustion: Int64?
        var until = ""
        let sinceRestart = history.filter { $0.t >= growing.start }
        if let limit = memory.role.limit, let forecast = try? CapacityForecast.timeToLimit(sinceRestart, limit: limit), let at = forecast.crossingMs {
            exhaustion = at
            until = "; at this rate it reaches its \(Wording.amount(limit, bytes: bytes)) limit in "
                + Wording.duration(Int64(max(0, min(9.2e18, TimePoint.span(from: history.last?.t ?? at, to: at)))))
        }
        let leadMs = Int64(max(-9.2e18, min(9.2e18, TimePoint.span(from: growing.start, to: context.onset))))
        let base = "\(memory.metric) of \(memory.resourceName) rose \(Wording.amount(rise, bytes: bytes)) in "
            + Wording.duration(Int64(max(0, min(9.2e18, TimePoint.span(from: growing.start, to: growing.end)))))
        if let top = attribution, top.correlation >= 0.5, let credited = byKey[top.name] {
            let sentence = base + ", in step with \(credited.metric) of \(credited.resourceName) (r = \(Wording.significant(top.correlation)), "
                + "+\(Wording.amount(top.perThousand, bytes: bytes)) per 1,000): probable leak in \(credited.resourceName), growing "
                + "\(Wording.relative(leadMs)) \(context.symptom.signal.metric) of \(context.symptom.signal.resourceName) became unusual" + until
            let evidence = Evidence(kind: .leak, subject: memory.metric, strength: min(1, top.correlation) * (memory.onPath ? 1 : offPath), correlation: top.correlation,
                                    leadMs: leadMs, exhaustionMs: exhaustion, sentence: sentence)
            return (evidence, credited)
        }
        let sentence = base + " with no workload that explains it: probable leak in \(memory.resourceName)" + until
        let evidence = Evidence(kind: .leak, subject: memory.metric, strength: 0.6 * (memory.onPath ? 1 : offPath), correlation: nil, leadMs: leadMs,
                                exhaustionMs: exhaustion, sentence: sentence)
        return (evidence, memory)
    }

    /// A recorded change shortly before the symptom's onset after which the symptom's level shifted.
    static func changeEvidence(_ change: ChangeEvent, context: Context) -> Evidence? {
        let length = TimePoint.span(from: context.symptom.from, to: context.symptom.to)
        let gap = TimePoint.span(from: change.time, to: context.onset)
        // From a window's length before the onset to a tenth of it after: the onset is found looking that far ahead,
        // so it may be placed a little before the change that caused it.
        guard gap >= -max(Double(context.tolerance), length / 10), gap <= length else { return nil }
        let span = Int64(max(Double(6 * context.step), length / 4))
        let around = context.symptom.signal.points.filter { $0.t >= change.time &- span && $0.t <= change.time &+ span }
        guard let shift = Anomaly(around, from: change.time, to: change.time &+ span), shift.onset != nil else { return nil }
        let closeness = gap <= 0 ? 1 : 1 / (1 + gap / max(1, length / 4))
        let strength = min(1, abs(shift.level) / 6) * shift.sustained * closeness
        guard strength > 0.05 else { return nil }
        let leadMs = Int64(max(-9.2e18, min(9.2e18, gap)))
        let sentence = "\(change.summary) on \(change.resourceName) (\(change.relation)) \(Wording.relative(leadMs)) "
            + "\(context.symptom.signal.metric) of \(context.symptom.signal.resourceName) \(shift.level > 0 ? "rose" : "fell") "
            + "to \(Wording.significant(abs(shift.level))) times its usual spread and stayed there"
        return Evidence(kind: .change, subject: change.summary, strength: strength, correlation: nil, leadMs: leadMs,
                        exhaustionMs: nil, sentence: sentence)
    }

    /// An aggregate series (a host's CPU) whose changes follow a more specific candidate's (a VM's on it), or that
    /// became unusual the same way at the same time as one that is at least as unusual, is that candidate seen from
    /// above: its correlation evidence is halved.
    static func demoteAggregates(_ evidence: inout [String: [(Evidence, Signal?, ChangeEvent?)]], candidates: [Signal], context: Context) {
        let specific = candidates.filter { !$0.aggregate && evidence[$0.resourceID]?.contains { $0.0.kind == .correlation && $0.1?.metric == $0.0.subject } == true }
        for (resourceID, items) in evidence {
            evidence[resourceID] = items.map { item in
                guard let signal = item.1, signal.aggregate, item.0.kind == .correlation else { return item }
                let levels = LaggedCorrelation.levels(signal, on: context.grid)
                let window = (context.symptom.from, context.symptom.to)
                let own = Anomaly(signal.points, from: window.0, to: window.1)
                let explained = specific.contains { other in
                    guard other.resourceID != signal.resourceID else { return false }
                    if (LaggedCorrelation(candidate: LaggedCorrelation.levels(other, on: context.grid), symptom: levels,
                                          step: context.step, maxLag: 0)?.r ?? 0) >= 0.8 { return true }
                    // Or it became unusual the same way at the same time (a VM's job lifting its host's load).
                    guard let own, let start = own.onset, let theirs = Anomaly(other.points, from: window.0, to: window.1),
                          let otherStart = theirs.onset else { return false }
                    return abs(TimePoint.span(from: start, to: otherStart)) <= TimePoint.span(from: window.0, to: window.1) / 10
                        && (own.level > 0) == (theirs.level > 0) && abs(theirs.level) >= abs(own.level)
                }
                guard explained else { return item }
                var demoted = item.0
                demoted.strength /= 2
                demoted.sentence += " (mostly a more specific candidate seen from above)"
                return (demoted, item.1, item.2)
            }
        }
    }

    /// One sentence on what to do about `finding`.
    static func recommendation(for finding: RootCauseReport.Finding, symptom: Symptom) -> String {
        guard let first = finding.evidence.first else { return "look at \(finding.resourceName)" }
        switch first.kind {
        case .leak:
            let server = finding.resourceKind == "service" ? "the server that runs \(finding.resourceName)" : finding.resourceName
            return "restart \(server) to give its memory back now, and fix the leak in \(finding.resourceName); "
                + "moving \(symptom.signal.resourceName) to a bigger host would only postpone it"
        case .exhaustion:
            return "free or grow \(first.subject) of \(finding.resourceName) before it fills"
        case .change:
            return "undo or correct the change (\(first.subject)) on \(finding.resourceName)"
        case .correlation:
            switch finding.resourceKind {
            case "vm", "container":
                return "cap or move \(finding.resourceName) (\(finding.relation)): it competes with \(symptom.signal.resourceName) for shared resources"
            case "host", "hypervisor":
                return "\(finding.resourceName) is short of capacity: move load off it"
            default:
                return "look at \(first.subject) of \(finding.resourceName): it moved first and moves with the symptom"
            }
        }
    }
}
