/// Pure: when to try a failed delivery again, and when to give up.
///
/// The delay after attempt `n` is `initialDelayMs × 2^(n-1)`, capped at `maxDelayMs`, then shortened by
/// up to `jitterFraction` of itself (`jitter` in 0..<1 is injected, so tests and replays are exact):
/// with the defaults 1 s, 2 s, 4 s … 5 min, each up to 20 % earlier. With `jitterFraction` ≤ 0.5 a delay
/// is never shorter than the one before while the doubled delay is below the cap, whatever the jitter
/// (at the cap, consecutive delays vary within the jitter). The delivery is
/// given up (`nil`) after `maxAttempts` attempts, or when the next attempt would come more than `maxAgeMs`
/// after the first.
///
/// ```swift
/// let schedule = RetrySchedule()
/// schedule.nextAttempt(afterAttempt: 1, lastAttemptMs: 10_000, jitter: 0)     // 11_000
/// schedule.nextAttempt(afterAttempt: 3, lastAttemptMs: 10_000, jitter: 0.5)   // 13_600 (4 s less 10 %)
/// schedule.nextAttempt(afterAttempt: 12, lastAttemptMs: 10_000, jitter: 0)    // nil: given up
/// ```
public struct RetrySchedule: Sendable, Equatable {
    /// The delay after the first attempt, in milliseconds.
    public var initialDelayMs: Int64
    /// The longest delay between two attempts, in milliseconds.
    public var maxDelayMs: Int64
    /// How much of a delay the jitter may take off, 0...1 (values outside are clamped).
    public var jitterFraction: Double
    /// How many attempts in all before giving up (at least 1).
    public var maxAttempts: Int
    /// How long after the first attempt a delivery may still be tried, in milliseconds; nil for no limit.
    public var maxAgeMs: Int64?

    /// Creates a schedule; the defaults give 1 s, 2 s, 4 s … 5 min with up to 20 % jitter, at most 20
    /// attempts within 24 hours (about an hour of retrying at the defaults).
    public init(initialDelayMs: Int64 = 1_000, maxDelayMs: Int64 = 300_000, jitterFraction: Double = 0.2,
                maxAttempts: Int = 20, maxAgeMs: Int64? = 86_400_000) {
        self.initialDelayMs = initialDelayMs
        self.maxDelayMs = maxDelayMs
        self.jitterFraction = jitterFraction
        self.maxAttempts = maxAttempts
        self.maxAgeMs = maxAgeMs
    }

    /// When to make attempt `n + 1`, in Unix milliseconds, or nil to give up.
    ///
    /// - Parameters:
    ///   - n: how many attempts have been made (1 after the first).
    ///   - lastAttemptMs: when attempt `n` was made.
    ///   - jitter: a random number in 0..<1 (clamped), taking `jitter × jitterFraction` off the delay.
    ///   - firstAttemptMs: when attempt 1 was made, for `maxAgeMs`; without it the age limit is not applied.
    public func nextAttempt(afterAttempt n: Int, lastAttemptMs: Int64, jitter: Double, firstAttemptMs: Int64? = nil) -> Int64? {
        guard n >= 1, n < maxAttempts else { return nil }
        let delay = delayMs(afterAttempt: n, jitter: jitter)
        let (next, overflow) = lastAttemptMs.addingReportingOverflow(delay)
        guard !overflow else { return nil }
        if let maxAgeMs, let firstAttemptMs, next - firstAttemptMs > maxAgeMs { return nil }
        return next
    }

    /// The delay after attempt `n` (n ≥ 1), jitter applied, never below 1 ms.
    func delayMs(afterAttempt n: Int, jitter: Double) -> Int64 {
        let base = max(1, initialDelayMs)
        let cap = max(base, maxDelayMs)
        let doublings = min(n - 1, 62)
        let full = Double(base) * Double(sign: .plus, exponent: doublings, significand: 1)
        let capped = min(full, Double(cap))
        let fraction = min(1, max(0, jitterFraction))
        let jitter = jitter.isNaN ? 0 : min(1, max(0, jitter))
        return max(1, Int64((capped * (1 - fraction * jitter)).rounded(.down)))
    }
}
