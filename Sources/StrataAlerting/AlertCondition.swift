import StrataCore

/// What an alert definition watches.
public enum AlertCondition: Sendable, Equatable {
    /// A metric compared with a threshold.
    case threshold(ThresholdCondition)
    /// A resource's availability: down, its agent silent, its hypervisor unreachable.
    case availability(AvailabilityCondition)
    /// Events on the resource's timeline (log records, configuration changes, relocations…).
    case event(EventCondition)
    /// A metric's fitted trend projected to cross a threshold within a horizon.
    case trend(TrendCondition)
    /// A metric far from what it usually is at this hour of the week (or day).
    case baseline(BaselineCondition)
    /// All or any of several conditions on the resource or on layers of its stack.
    case composite(CompositeCondition)
    /// A Prometheus alerting rule: its expression is evaluated by the rule engine, which reports each evaluation's
    /// result series (one alert per series); the evaluator keeps their lifecycles.
    case rule(RuleCondition)

    /// The metric names whose samples can change this condition (empty for conditions on events).
    public var metrics: [String] {
        switch self {
        case .threshold(let threshold): return [threshold.metric]
        case .trend(let trend): return [trend.metric]
        case .baseline(let baseline): return [baseline.metric]
        case .composite(let composite): return composite.parts.flatMap(\.condition.metrics)
        default: return []
        }
    }

    /// The exact labels a metric condition's series must carry (nil for conditions on events).
    public var seriesLabels: [String: String]? {
        switch self {
        case .threshold(let threshold): return threshold.labels
        case .trend(let trend): return trend.labels
        case .baseline(let baseline): return baseline.labels
        default: return nil
        }
    }
}

/// A Prometheus alerting rule as an alert condition: the series of each evaluation of `expr` are the alerts that hold.
public struct RuleCondition: Sendable, Equatable {
    /// The PromQL expression.
    public var expr: String
    /// A firing alert whose series is gone stays firing this long (`keep_firing_for`).
    public var keepFiringForMs: Int64
    /// The rule file, group and 1-based index of the rule.
    public var file: String
    public var group: String
    public var index: Int

    /// A rule condition.
    public init(expr: String, keepFiringForMs: Int64 = 0, file: String, group: String, index: Int) {
        self.expr = expr
        self.keepFiringForMs = max(0, keepFiringForMs)
        self.file = file
        self.group = group
        self.index = index
    }
}

/// `>`, `>=`, `<`, `<=`, `==`, `!=`.
public enum ComparisonOperator: String, Sendable, Codable, CaseIterable {
    case greater = ">", greaterOrEqual = ">=", less = "<", lessOrEqual = "<=", equal = "==", notEqual = "!="

    /// `value op threshold`; NaN compares false except with `!=`, as in IEEE 754.
    public func compare(_ value: Double, _ threshold: Double) -> Bool {
        switch self {
        case .greater: value > threshold
        case .greaterOrEqual: value >= threshold
        case .less: value < threshold
        case .lessOrEqual: value <= threshold
        case .equal: value == threshold
        case .notEqual: value != threshold
        }
    }
}

/// What a threshold compares: the sample's value, its per-second rate, or an aggregate over a trailing window.
public enum ThresholdInput: Sendable, Equatable {
    /// Each sample as it arrives.
    case value
    /// The per-second increase between consecutive samples (counter resets count from zero, as Prometheus does).
    case rate
    /// An aggregate of the samples within the trailing window.
    case aggregate(WindowFunction, windowMs: Int64)
}

/// Aggregates over a trailing window.
public enum WindowFunction: String, Sendable, Codable, CaseIterable {
    case avg, min, max, sum, count
}

/// A metric compared with a threshold, with an optional separate clear threshold (hysteresis): the alert starts
/// when `input op threshold` holds and, once started, ends only when `input op clear` no longer holds — e.g.
/// `> 90` clearing at `> 80` stays on between 80 and 90.
public struct ThresholdCondition: Sendable, Equatable {
    /// The metric name (`__name__` of remote-written series).
    public var metric: String
    /// Only series whose labels carry these values (empty: every series of the metric in scope).
    public var labels: [String: String]
    /// What is compared.
    public var input: ThresholdInput
    /// How.
    public var op: ComparisonOperator
    /// With what.
    public var threshold: Double
    /// The threshold that keeps an open alert open (nil: `threshold`).
    public var clear: Double?

    /// A threshold condition.
    public init(metric: String, labels: [String: String] = [:], input: ThresholdInput = .value, op: ComparisonOperator,
                threshold: Double, clear: Double? = nil) {
        self.metric = metric
        self.labels = labels
        self.input = input
        self.op = op
        self.threshold = threshold
        self.clear = clear
    }

    /// Whether `value` makes the condition hold, given whether the alert is open now (hysteresis).
    public func holds(_ value: Double, open: Bool) -> Bool {
        op.compare(value, open ? (clear ?? threshold) : threshold)
    }
}

/// A resource's availability.
public struct AvailabilityCondition: Sendable, Equatable {
    /// What counts as unavailable.
    public enum Problem: String, Sendable, Codable, CaseIterable {
        /// The resource is down (a server stopped, a platform's agent silent, a VM shut off).
        case down
        /// The platform's agent stopped reporting.
        case agentSilent = "agent-silent"
        /// The hypervisor cannot be reached.
        case unreachable
    }

    /// Which problem.
    public var problem: Problem

    /// An availability condition.
    public init(problem: Problem = .down) { self.problem = problem }
}

/// Events that open an alert: each matching event fires it (and it resolves by hand, or after `resolveAfterMs`
/// without another match).
public struct EventCondition: Sendable, Equatable {
    /// Event kinds to match (`log`, `config-change`, `relocated`, `unknown-vm`, `ambiguity`, `retired`, …; empty: any).
    public var kinds: Set<String>
    /// The least severity that matches.
    public var minimumSeverity: EventSeverity
    /// Every word must occur in the message (case-insensitive; empty: any message).
    public var words: [String]
    /// For configuration changes and logs: a glob over the file's path (`*` within a segment, `**` across).
    public var pathGlob: String?
    /// An open event alert resolves after this long without another match (nil: only by hand).
    public var resolveAfterMs: Int64?

    /// An event condition.
    public init(kinds: Set<String> = [], minimumSeverity: EventSeverity = .info, words: [String] = [], pathGlob: String? = nil,
                resolveAfterMs: Int64? = nil) {
        self.kinds = kinds
        self.minimumSeverity = minimumSeverity
        self.words = words.map { $0.lowercased() }
        self.pathGlob = pathGlob
        self.resolveAfterMs = resolveAfterMs
    }

    /// Whether an event matches.
    public func matches(kind: String, severity: EventSeverity, message: String, path: String?) -> Bool {
        guard kinds.isEmpty || kinds.contains(kind), severity >= minimumSeverity else { return false }
        if !words.isEmpty {
            let text = message.lowercased()
            guard words.allSatisfy({ text.contains($0) }) else { return false }
        }
        if let pathGlob {
            guard let path, PathGlob.matches(pathGlob, path) else { return false }
        }
        return true
    }
}
