import Logging

/// Runs the registered collectors for each batch, each due one on its own thread (`CollectorWorker`), and
/// waits for each no longer than its budget; what to run, wait for and report is `CollectorLifecycle`'s
/// decision.
///
/// At most one run per collector is ever out, so a collector that hangs holds one thread, not one per
/// interval. A class: its threads deliver into its mailbox, so it has an identity; the agent's loop is its
/// only caller.
final class CollectorRunner {
    /// One report for a batch: the run's pass (its points' time, whether it was a refresh) and what it found.
    struct Delivery: Sendable {
        /// What the run was asked for.
        var pass: CollectionPass
        /// What it found (or the collector's stalled report).
        var report: CollectorReport
    }

    private struct Slot {
        /// The collector as its last returned run left it; while a run is out, only its description is used.
        var collector: any Collector
        let name: String
        var lifecycle: CollectorLifecycle
        /// Overrunning since the last warning: warned once, and told when a run is on time again.
        var lagging = false
    }

    private var slots: [Slot]
    /// Each collector's thread.
    private let workers: [CollectorWorker]
    private let mailbox = CollectorMailbox()
    private let logger: Logger?

    /// A runner for `collectors`, in the order their reports appear in a batch, in an agent collecting every
    /// `intervalMs`.
    init(collectors: [any Collector], intervalMs: Int64, logger: Logger? = nil) {
        slots = collectors.map { Slot(collector: $0, name: $0.name, lifecycle: CollectorLifecycle(schedule: $0.schedule, intervalMs: intervalMs)) }
        workers = collectors.map { _ in CollectorWorker() }
        self.logger = logger
    }

    deinit {
        for worker in workers { worker.close() }
    }

    /// The reports for the batch described by `pass`, in registration order: runs that returned late since
    /// the last batch (with their own pass), then this batch's runs that returned within their budget, and the
    /// stalled report of each due collector whose run is still out. Returns once every run started here has
    /// returned or reached its deadline.
    func collect(_ pass: CollectionPass) -> [Delivery] {
        var deliveries = [[Delivery]](repeating: [], count: slots.count)
        receive(mailbox.take(), into: &deliveries)
        let startMs = Clock.monotonicMs()
        var stalled: [Int] = []
        for index in slots.indices {
            switch slots[index].lifecycle.batch(nowMs: startMs, refresh: pass.refresh) {
            case .rest: continue
            case .stalled: stalled.append(index)
            case .start(let refresh, _):
                var run = pass
                run.refresh = refresh
                start(index, run)
            }
        }
        while let untilMs = slots.compactMap(\.lifecycle.waitsUntilMs).min() {
            receive(mailbox.take(waitingUntilMs: untilMs), into: &deliveries)
            let nowMs = Clock.monotonicMs()
            for index in slots.indices {
                guard slots[index].lifecycle.overran(nowMs: nowMs), !slots[index].lagging else { continue }
                slots[index].lagging = true
                logger?.warning("collector overran its budget; batches go without it until it returns", metadata: [
                    "collector": "\(slots[index].name)", "budgetMs": "\(slots[index].lifecycle.budgetMs)",
                ])
            }
        }
        // A collector whose hanging run returned meanwhile has its real report in this batch instead.
        for index in stalled where slots[index].lifecycle.phase != .idle {
            deliveries[index].append(Delivery(pass: pass, report: slots[index].collector.stalled(pass)))
        }
        return deliveries.flatMap { $0 }
    }

    /// The runner's own readings for the platform: `agent_collector_timeouts_total{collector}` for each
    /// collector a batch has gone without at least once (steady batches carry none).
    var readings: MetricSink {
        var sink = MetricSink()
        for slot in slots where slot.lifecycle.timeouts > 0 {
            sink.counter("agent_collector_timeouts_total", Double(slot.lifecycle.timeouts), ["collector": slot.name])
        }
        return sink
    }

    /// Starts a run of the collector at `index` on its thread (in line if the system refuses one).
    private func start(_ index: Int, _ pass: CollectionPass) {
        let mailbox = self.mailbox
        let collector = slots[index].collector
        let run: @Sendable () -> Void = {
            var collector = collector
            let report = collector.collect(pass)
            mailbox.post(CollectorMailbox.Finished(slot: index, collector: collector, pass: pass, report: report))
        }
        if !workers[index].submit(run) {
            logger?.warning("no thread for a collector; running it in line", metadata: ["collector": "\(slots[index].name)"])
            run()
        }
    }

    /// Takes back the collectors of returned runs and queues their reports.
    private func receive(_ finished: [CollectorMailbox.Finished], into deliveries: inout [[Delivery]]) {
        for run in finished {
            slots[run.slot].collector = run.collector
            let late = slots[run.slot].lifecycle.returned()
            if !late && slots[run.slot].lagging {
                slots[run.slot].lagging = false
                logger?.info("collector within its budget again", metadata: ["collector": "\(slots[run.slot].name)"])
            }
            deliveries[run.slot].append(Delivery(pass: run.pass, report: run.report))
        }
    }
}
