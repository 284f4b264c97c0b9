import StrataCore

/// What happened to the samples of one `append`.
public struct AppendSummary: Sendable, Equatable {
    /// Samples newly stored (in order or out of order within the window).
    public var stored = 0
    /// Samples already stored with the bit-identical value (replays): accepted, nothing changed.
    public var duplicates = 0
    /// Samples whose timestamp is stored with a different value: rejected, the first value stays.
    public var conflicts = 0
    /// Samples older than the out-of-order window behind their series' newest: rejected.
    public var tooOld = 0
    /// Samples older than the policy's bound behind the store's clock: rejected.
    public var outOfBounds = 0
    /// Samples further ahead of the store's clock than it tolerates (10 minutes by default): rejected.
    public var tooFarInFuture = 0
    /// The first rejection, for error messages.
    public var firstRejection: Rejection?

    /// Why a sample was refused; `description` is Prometheus 2.42's wording.
    public enum Rejection: Sendable, Equatable, CustomStringConvertible {
        case conflict
        case tooOld
        case outOfBounds
        case tooFarInFuture

        public var description: String {
            switch self {
            case .conflict: return "duplicate sample for timestamp"
            case .tooOld: return "out of order sample"
            case .outOfBounds: return "out of bounds"
            case .tooFarInFuture: return "too far in the future"
            }
        }
    }

    /// Creates a summary.
    public init(stored: Int = 0, duplicates: Int = 0, conflicts: Int = 0, tooOld: Int = 0, outOfBounds: Int = 0,
                tooFarInFuture: Int = 0, firstRejection: Rejection? = nil) {
        self.stored = stored
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.tooOld = tooOld
        self.outOfBounds = outOfBounds
        self.tooFarInFuture = tooFarInFuture
        self.firstRejection = firstRejection
    }

    /// Samples refused.
    public var rejected: Int { conflicts + tooOld + outOfBounds + tooFarInFuture }

    mutating func reject(_ reason: Rejection) {
        switch reason {
        case .conflict: conflicts += 1
        case .tooOld: tooOld += 1
        case .outOfBounds: outOfBounds += 1
        case .tooFarInFuture: tooFarInFuture += 1
        }
        if firstRejection == nil { firstRejection = reason }
    }
}

/// How an append treats samples that are not simply newer than what a series holds.
public struct AppendPolicy: Sendable, Equatable {
    /// Out-of-order tolerance behind a series' newest sample; nil uses the store's default (1 h).
    public var outOfOrderWindowMs: Int64?
    /// Reject samples with an older timestamp (`outOfBounds`); nil: no such bound. The caller sets it from a
    /// reference of its own — a tenant's newest sample, the clock — never from the store's newest sample of
    /// any series, so one tenant's writes cannot move another's bound.
    public var oldestMs: Int64?
    /// Reject samples older than this behind the store's clock (`outOfBounds`), whatever `oldestMs` says — the
    /// raw retention, say, since older samples would be expired at once; nil: no such bound.
    public var maxAgeMs: Int64?
    /// Store nothing when any sample is rejected.
    public var allOrNothing: Bool

    /// Creates a policy.
    public init(outOfOrderWindowMs: Int64? = nil, oldestMs: Int64? = nil, maxAgeMs: Int64? = nil, allOrNothing: Bool = false) {
        self.outOfOrderWindowMs = outOfOrderWindowMs
        self.oldestMs = oldestMs
        self.maxAgeMs = maxAgeMs
        self.allOrNothing = allOrNothing
    }

    /// Agents: the 1 h out-of-order window, per-sample decisions.
    public static let standard = AppendPolicy()
    /// Prometheus remote write as 2.42 answers it: no out-of-order samples and one bad sample rejects the whole
    /// request; see `prometheus(newestMs:)` for its out-of-bounds window.
    public static let prometheus = AppendPolicy(outOfOrderWindowMs: 0, allOrNothing: true)

    /// Prometheus's out-of-bounds window: nothing older than 1 h behind `newestMs`, which Prometheus takes from
    /// its head's newest sample and Strata from the newest sample of the writing tenant (nil: none yet, no bound).
    public static func prometheus(newestMs: Int64?) -> AppendPolicy {
        var policy = prometheus
        policy.oldestMs = newestMs.map { $0.subtractingReportingOverflow(3_600_000).partialValue }
        return policy
    }
}

/// Durable storage of samples, the contract every storage engine fulfils.
///
/// Invariants: a commit returns only once every accepted sample is durable (survives kill -9); appending a
/// sample whose (series, timestamp) is already stored keeps the first value, so replays never duplicate.
/// Reads go through a `Querier`.
public protocol SampleStore: Sendable {
    /// An appender whose commits follow `policy`.
    func appender(policy: AppendPolicy) -> any Appender
}

extension SampleStore {
    /// Appends samples durably under `policy` and says what happened to them (one appender, one commit).
    @discardableResult
    public func append(_ groups: [SeriesSamples], policy: AppendPolicy) async throws -> AppendSummary {
        var appender = appender(policy: policy)
        appender.append(groups)
        return try await appender.commit().summary
    }

    /// Appends under the standard policy.
    @discardableResult
    public func append(_ groups: [SeriesSamples]) async throws -> AppendSummary {
        try await append(groups, policy: .standard)
    }
}
