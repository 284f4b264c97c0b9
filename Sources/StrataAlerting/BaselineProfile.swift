/// What a baseline condition has learned of one series: for each hour of the season (168 hours of a week, or 24 of a
/// day) and each of the last `keptSeasons` seasons, the mean of that hour's samples and their standard deviation
/// within the hour. Samples accumulate into the open hour; when a sample of a later hour arrives the open hour is
/// stored in its bucket. Memory is fixed: `keptSeasons × hours × 2` floats (10.5 KiB for a weekly profile).
///
/// The profile is keyed by series, and a series belongs to its resource, never to where the resource runs: a VM's
/// profile is the same before and after it moves to another host.
public struct BaselineProfile: Sendable {
    /// Seasons remembered; older ones are forgotten as new ones begin.
    public static let keptSeasons = 8

    /// What the profile expects at an hour: the median of earlier seasons' means and the spread of one sample.
    public struct Expectation: Sendable, Equatable {
        public var median: Double
        /// √((1.4826 · MAD of the means)² + (median within-hour deviation)²).
        public var spread: Double
        /// Earlier seasons the hour was seen in.
        public var seasons: Int
    }

    public let season: BaselineCondition.Season
    public let utcOffsetMs: Int64
    /// Per slot (season number modulo `keptSeasons`): hour means, NaN where unseen.
    private var means: [Float]
    private var deviations: [Float]
    /// Which season each slot holds (nil: none yet).
    private var slotSeason: [Int64?]
    private var open: (hour: Int64, count: Double, mean: Double, squares: Double)?

    /// An empty profile.
    public init(season: BaselineCondition.Season, utcOffsetMs: Int64 = 0) {
        self.season = season
        self.utcOffsetMs = utcOffsetMs
        means = Array(repeating: .nan, count: Self.keptSeasons * season.hours)
        deviations = Array(repeating: .nan, count: Self.keptSeasons * season.hours)
        slotSeason = Array(repeating: nil, count: Self.keptSeasons)
    }

    /// The hour (since the epoch, in the profile's offset) of `timestampMs`; nil when it is out of range.
    func hour(_ timestampMs: Int64) -> Int64? {
        let (local, overflow) = timestampMs.addingReportingOverflow(utcOffsetMs)
        return overflow ? nil : Self.floorDivide(local, 3_600_000)
    }

    /// Takes one sample (NaN and infinities are ignored; a sample of an hour before the open one only counts if it
    /// is in the open hour).
    public mutating func add(timestampMs: Int64, value: Double) {
        guard value.isFinite, let hour = hour(timestampMs) else { return }
        if var current = open {
            guard hour >= current.hour else { return }
            if hour > current.hour {
                close(current)
                open = (hour, 1, value, 0)
                return
            }
            // Welford's running mean and sum of squared deviations.
            current.count += 1
            let delta = value - current.mean
            current.mean += delta / current.count
            current.squares += delta * (value - current.mean)
            open = current
        } else {
            open = (hour, 1, value, 0)
        }
    }

    /// Stores a whole hour at once (from stored history): its mean and its standard deviation within the hour.
    public mutating func record(hourStartMs: Int64, mean: Double, deviation: Double) {
        guard mean.isFinite, let hour = hour(hourStartMs) else { return }
        if let current = open, hour >= current.hour { return }
        store(hour: hour, mean: mean, deviation: deviation.isFinite ? Swift.max(0, deviation) : 0)
    }

    /// What the profile expects at `timestampMs`, from seasons before the one it falls in; nil when the hour was
    /// seen in no earlier season.
    public func expectation(atMs timestampMs: Int64) -> Expectation? {
        guard let hour = hour(timestampMs) else { return nil }
        let (seasonNumber, bucket) = position(hour)
        var seenMeans: [Double] = []
        var seenDeviations: [Double] = []
        for slot in 0..<Self.keptSeasons {
            guard let stored = slotSeason[slot], stored < seasonNumber else { continue }
            let index = slot * season.hours + bucket
            guard !means[index].isNaN else { continue }
            seenMeans.append(Double(means[index]))
            seenDeviations.append(Double(deviations[index]))
        }
        guard !seenMeans.isEmpty else { return nil }
        let median = Self.median(seenMeans)
        let mad = Self.median(seenMeans.map { abs($0 - median) })
        let between = 1.4826 * mad
        let within = Self.median(seenDeviations)
        return Expectation(median: median, spread: (between * between + within * within).squareRoot(), seasons: seenMeans.count)
    }

    private mutating func close(_ hour: (hour: Int64, count: Double, mean: Double, squares: Double)) {
        let deviation = hour.count > 1 ? (hour.squares / (hour.count - 1)).squareRoot() : 0
        store(hour: hour.hour, mean: hour.mean, deviation: deviation)
    }

    private mutating func store(hour: Int64, mean: Double, deviation: Double) {
        // Beyond a Float's range (or overflowed on the way) there is nothing sensible to learn.
        guard Float(mean).isFinite, Float(deviation).isFinite else { return }
        let (seasonNumber, bucket) = position(hour)
        let slot = Int(Self.floorModulo(seasonNumber, Int64(Self.keptSeasons)))
        if slotSeason[slot] != seasonNumber {
            // A season older than the one the slot holds is past remembering.
            if let held = slotSeason[slot], held > seasonNumber { return }
            slotSeason[slot] = seasonNumber
            for index in (slot * season.hours)..<((slot + 1) * season.hours) {
                means[index] = .nan
                deviations[index] = .nan
            }
        }
        means[slot * season.hours + bucket] = Float(mean)
        deviations[slot * season.hours + bucket] = Float(deviation)
    }

    /// The season an hour belongs to and its bucket within the season. Weeks start on Monday 00:00 (the epoch was
    /// a Thursday, 3 days after a Monday).
    private func position(_ hour: Int64) -> (season: Int64, bucket: Int) {
        let shifted = season == .weekly ? hour + 72 : hour
        let length = Int64(season.hours)
        return (Self.floorDivide(shifted, length), Int(Self.floorModulo(shifted, length)))
    }

    /// `value / divisor` rounded towards minus infinity.
    public static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    static func floorModulo(_ value: Int64, _ divisor: Int64) -> Int64 {
        let remainder = value % divisor
        return remainder < 0 ? remainder + divisor : remainder
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
