/// What the uplink does with a spooled batch after one delivery attempt. Pure, so every rule is tested
/// without I/O.
public enum UplinkOutcome: Sendable, Equatable {
    /// The server has the batch durably (200), or already had it (409): remove it from the spool.
    case acknowledged
    /// The server has the batch, but refused some of its samples for good (out of its time bounds, say):
    /// remove it from the spool and log the refusal, which names how many and why.
    case acknowledgedWithRejections(String)
    /// The server will never accept this batch (400, 413, 422): drop it, log why, go on with the next.
    case rejected(String)
    /// Try again later (network error, 429, 5xx): keep it and every later batch, stop this round.
    case retryLater(String)
    /// The server refused the agent's credential (401) or its right to report this batch (403): keep the batch,
    /// enroll again before the next attempt.
    case reenroll(String)

    /// Classifies a response status.
    public static func classify(status: Int, body: String) -> UplinkOutcome {
        switch status {
        case 200 where rejectedSamples(in: body) > 0:
            return .acknowledgedWithRejections(body.prefix(600).description)
        case 200, 201, 202, 204, 409: return .acknowledged
        case 400, 413, 415, 422: return .rejected("HTTP \(status): \(body.prefix(300))")
        case 401: return .reenroll("HTTP 401: the agent credential was refused; enrolling again")
        case 403: return .reenroll("HTTP 403: \(body.prefix(300)); enrolling again")
        default: return .retryLater("HTTP \(status): \(body.prefix(300))")
        }
    }

    /// The `"rejectedSamples":N` count of a batch answer, 0 when absent.
    static func rejectedSamples(in body: String) -> Int {
        let marker = "\"rejectedSamples\":"
        guard let range = body.firstRange(of: marker) else { return 0 }
        return Int(body[range.upperBound...].prefix { $0.isNumber }) ?? 0
    }

    /// Whether the server refused the agent's credential (401) or its right to report this batch (403),
    /// so the agent should enroll again before the next attempt.
    public var refusesCredential: Bool {
        if case .reenroll = self { return true }
        return false
    }
}

/// Exponential backoff between delivery rounds after failures: 1 s doubling to a cap, reset on success.
public struct Backoff: Sendable, Equatable {
    /// First delay in milliseconds.
    public var initialMs: Int64 = 1000
    /// Longest delay in milliseconds.
    public var maximumMs: Int64 = 60_000
    /// Consecutive failures so far.
    public private(set) var failures = 0

    /// Creates a backoff.
    public init(initialMs: Int64 = 1000, maximumMs: Int64 = 60_000) {
        self.initialMs = initialMs
        self.maximumMs = maximumMs
    }

    /// The delay before the next attempt, and records one more failure.
    public mutating func fail() -> Int64 {
        let delay = min(maximumMs, initialMs << Int64(min(failures, 20)))
        failures += 1
        return delay
    }

    /// Records a success.
    public mutating func succeed() { failures = 0 }
}
