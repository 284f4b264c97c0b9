/// What a threshold condition remembers of one series between samples, to turn a sample into the value it
/// compares: the sample itself, the rate since the previous sample, or an aggregate over a trailing window.
public struct ThresholdInputState: Sendable {
    private var previous: (timestampMs: Int64, value: Double)?
    private var window: [(timestampMs: Int64, value: Double)] = []
    /// Samples kept per window at most, so a flood of samples cannot grow the state without bound.
    public static let maxWindowSamples = 4_096

    /// Empty state.
    public init() {}

    /// Takes a sample and returns the value to compare, or nil when there is none yet (a rate needs two samples;
    /// a sample older than the last one is ignored). NaN values are skipped.
    public mutating func add(timestampMs: Int64, value: Double, input: ThresholdInput) -> Double? {
        guard !value.isNaN else { return nil }
        if let previous, timestampMs <= previous.timestampMs { return nil }
        defer { previous = (timestampMs, value) }
        switch input {
        case .value:
            return value
        case .rate:
            guard let previous else { return nil }
            let seconds = Double(timestampMs.subtractingReportingOverflow(previous.timestampMs).partialValue.magnitude) / 1000
            // A counter that went down was reset: it counted up from zero since.
            let increase = value >= previous.value ? value - previous.value : value
            return seconds > 0 ? increase / seconds : nil
        case .aggregate(let function, let windowMs):
            window.append((timestampMs, value))
            let (oldest, overflow) = timestampMs.subtractingReportingOverflow(max(0, windowMs))
            if !overflow, let cut = window.firstIndex(where: { $0.timestampMs > oldest }), cut > 0 { window.removeFirst(cut) }
            if window.count > Self.maxWindowSamples { window.removeFirst(window.count - Self.maxWindowSamples) }
            let values = window.map(\.value)
            switch function {
            case .avg: return values.reduce(0, +) / Double(values.count)
            case .min: return values.min()
            case .max: return values.max()
            case .sum: return values.reduce(0, +)
            case .count: return Double(values.count)
            }
        }
    }
}
