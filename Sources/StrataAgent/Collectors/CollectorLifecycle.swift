/// When one registered collector runs and how a batch treats it: a value-type state machine without I/O or a
/// clock of its own (times are monotonic milliseconds passed in), driven by `CollectorRunner`.
///
/// `idle` → (`batch` returns `.start`) → `running` → (`returned`) → `idle`. A run starts when the collector is
/// due and no run of it is out. The batch waits for the run until its deadline (start + budget); a run still
/// out then has overrun (`overran`): the batch goes without it, and its report travels when it returns. A
/// batch the collector is due for while its run is still out starts no second run (`.stalled`). Each batch
/// that goes without a due collector counts as one timeout. A discovery refresh the collector missed is
/// owed to its next run.
struct CollectorLifecycle: Sendable, Equatable {
    /// Whether a run is out.
    enum Phase: Sendable, Equatable {
        /// No run is out.
        case idle
        /// A run is out; the batch that started it waits for it until `deadlineMs`; `overran` once that batch
        /// went without it.
        case running(deadlineMs: Int64, overran: Bool)
    }

    /// What a batch does with the collector.
    enum Step: Sendable, Equatable {
        /// Start a run (a discovery run when `refresh`) and wait for it until `deadlineMs`.
        case start(refresh: Bool, deadlineMs: Int64)
        /// Not due in this batch.
        case rest
        /// Due, but its previous run is still out: start none, report it stalled.
        case stalled
    }

    /// Runs on every this many batches.
    let everyBatches: UInt64
    /// The budget in force: the schedule's, at most three quarters of the interval, at least 1 ms.
    let budgetMs: Int64
    /// Whether a run is out.
    private(set) var phase = Phase.idle
    /// Batches that went without the collector: runs that overran, and due batches it missed because a run
    /// was still out.
    private(set) var timeouts: UInt64 = 0
    /// Batches since its last run started; nil before the first.
    private var sinceStart: UInt64?
    /// A discovery refresh it missed, for its next run.
    private var refreshOwed = false

    /// The lifecycle of a collector with `schedule` in an agent collecting every `intervalMs`.
    init(schedule: CollectorSchedule, intervalMs: Int64) {
        everyBatches = max(1, schedule.everyBatches)
        budgetMs = max(1, min(schedule.budgetMs, intervalMs / 4 * 3))
    }

    /// The step for a batch collected at `nowMs`; `refresh` when the batch is a discovery refresh.
    mutating func batch(nowMs: Int64, refresh: Bool) -> Step {
        refreshOwed = refreshOwed || refresh
        sinceStart = sinceStart.map { $0 + 1 }
        guard refreshOwed || sinceStart.map({ $0 >= everyBatches }) ?? true else { return .rest }
        guard phase == .idle else {
            timeouts += 1
            return .stalled
        }
        let step = Step.start(refresh: refreshOwed, deadlineMs: nowMs + budgetMs)
        phase = .running(deadlineMs: nowMs + budgetMs, overran: false)
        sinceStart = 0
        refreshOwed = false
        return step
    }

    /// Until when the batch still waits for the run that is out; nil when none is out or it overran.
    var waitsUntilMs: Int64? {
        guard case .running(let deadlineMs, false) = phase else { return nil }
        return deadlineMs
    }

    /// The batch is about to stop waiting at `nowMs`: true when the run that is out has just overrun (the
    /// batch goes without it).
    mutating func overran(nowMs: Int64) -> Bool {
        guard let deadlineMs = waitsUntilMs, nowMs >= deadlineMs else { return false }
        phase = .running(deadlineMs: deadlineMs, overran: true)
        timeouts += 1
        return true
    }

    /// The run that was out returned; true when it had overrun (its report is late).
    mutating func returned() -> Bool {
        defer { phase = .idle }
        guard case .running(_, let overran) = phase else { return false }
        return overran
    }
}
