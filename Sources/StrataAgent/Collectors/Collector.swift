/// One source of readings the agent registers (`CollectorRegistry.builtIn`): what it reads (`collect`), how
/// often and for how long (`schedule`), and what it reports (a `CollectorReport`).
///
/// Every run happens on a thread of its own, so the collectors of one batch run side by side, and the batch
/// waits for a run no longer than the schedule's budget. A run that overruns is not abandoned: its report
/// travels with the first batch after it returns, its points at their own time. While it is still out, the
/// collector is not run again (one run out per collector at most); each batch it is due for goes without it
/// and carries its `stalled` report instead. `CollectorLifecycle` decides all of this; `CollectorRunner`
/// does it.
///
/// A collector is a value: a run works on a copy and hands the changed copy back, so its state (known
/// servers, open connections, backoffs) passes from one run to the next and two runs never share it. While
/// a run is out, the agent uses only `name`, `schedule` and `stalled` of the value it kept.
protocol Collector: Sendable {
    /// Short name, unique among the registered collectors: in logs and in the `collector` label of the
    /// agent's own readings (`agent_collector_timeouts_total`).
    var name: String { get }
    /// How often it runs and how long a batch waits for one run.
    var schedule: CollectorSchedule { get }
    /// One run for the batch described by `pass`: what it found. Must not trap on what it reads; may block
    /// (a status page or hypervisor that does not answer), which costs the batch at most the budget.
    mutating func collect(_ pass: CollectionPass) -> CollectorReport
    /// What a batch reports for it while its previous run is still out when it is due again. By default
    /// nothing, so the server keeps what it last heard.
    func stalled(_ pass: CollectionPass) -> CollectorReport
}

extension Collector {
    func stalled(_ pass: CollectionPass) -> CollectorReport { CollectorReport() }
}

/// A collector whose readings are all the platform's own (the host's metrics, the agent's footprint).
protocol PlatformReadingCollector: Collector {
    /// Adds the readings to `sink`.
    func collect(into sink: inout MetricSink)
}

extension PlatformReadingCollector {
    func collect(_ pass: CollectionPass) -> CollectorReport {
        var report = CollectorReport()
        collect(into: &report.platform)
        return report
    }
}

/// How often a collector runs and how long a batch waits for one run.
struct CollectorSchedule: Sendable, Equatable {
    /// Runs on every this many batches (1: every batch), and on every discovery refresh.
    var everyBatches: UInt64 = 1
    /// How long a batch waits for one run, in milliseconds; the runner holds it to three quarters of the
    /// agent's interval, so a batch is always assembled before the next one is due.
    var budgetMs: Int64
}

/// What one run is asked for.
struct CollectionPass: Sendable, Equatable {
    /// The batch's collection time (Unix ms): the time of every point the run reports, even when the run
    /// returns late.
    var timestampMs: Int64
    /// The agent's collection interval in milliseconds.
    var intervalMs: Int64
    /// A discovery refresh: discover afresh (processes, containers); every property travels.
    var refresh: Bool
    /// The platform's natural key, the prefix of the keys of the resources below it.
    var platformKey: String
}
