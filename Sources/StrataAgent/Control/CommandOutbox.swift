/// The reports waiting to reach the server, oldest first, each retried until acknowledged; filled by the command
/// threads, emptied by the reporter thread.
final class CommandOutbox: @unchecked Sendable {
    // @unchecked: `queue` and `stopped` are read and written only with `lock` held, which is signalled after every
    // change a waiter may be waiting for.

    /// One report to send.
    struct Entry: Sendable, Equatable {
        var id: String
        var report: CommandReport
        /// Whether the command is in the journal (it was accepted, or interrupted): its final report, once
        /// acknowledged, is journaled `done`.
        var journaled: Bool
    }

    private let lock = ConditionLock()
    private var queue: [Entry] = []
    private var stopped = false

    /// Queues a report.
    func post(_ id: String, _ report: CommandReport, journaled: Bool) {
        lock.withLock {
            queue.append(Entry(id: id, report: report, journaled: journaled))
            lock.signal()
        }
    }

    /// Whether reports on `id` are still waiting.
    func holds(_ id: String) -> Bool { lock.withLock { queue.contains { $0.id == id } } }

    /// Reports waiting.
    var count: Int { lock.withLock { queue.count } }

    /// The oldest report, waiting for one until `untilMs` (`Clock.monotonicMs`) or a stop; nil when none came.
    func first(waitingUntilMs untilMs: Int64) -> Entry? {
        lock.withLock {
            if queue.isEmpty && !stopped { lock.wait(untilMs: untilMs) }
            return queue.first
        }
    }

    /// Removes the oldest report (sent and acknowledged).
    func removeFirst() {
        lock.withLock { if !queue.isEmpty { queue.removeFirst() } }
    }

    /// Removes every report on `id` (the server will take none of them).
    func removeAll(_ id: String) {
        lock.withLock { queue.removeAll { $0.id == id } }
    }

    /// Wakes the reporter for good.
    func stop() {
        lock.withLock {
            stopped = true
            lock.signal()
        }
    }

    var isStopped: Bool { lock.withLock { stopped } }

    /// Sleeps until `untilMs` (`Clock.monotonicMs`) or a stop; true when stopped.
    func sleep(untilMs: Int64) -> Bool {
        lock.withLock {
            while !stopped && Clock.monotonicMs() < untilMs { lock.wait(untilMs: untilMs) }
            return stopped
        }
    }
}

/// What a report's answer means for it. Pure.
enum ReportAnswer: Sendable, Equatable {
    /// Stored (200), or the server holds a later state (409): done with this report.
    case acknowledged
    /// The server will never take it (404: not this agent's command or unknown; 400, 413, 422): drop the command's
    /// reports and log why.
    case dropped(String)
    /// Try again after a backoff (network error, 401, 403, 429, 5xx).
    case retry(String)

    /// The meaning of an HTTP answer.
    static func classify(status: Int, body: String) -> ReportAnswer {
        switch status {
        case 200, 201, 204, 409: return .acknowledged
        case 404: return .dropped("HTTP 404: the server has no such command for this agent: \(body.prefix(200))")
        case 400, 413, 422: return .dropped("HTTP \(status): \(body.prefix(200))")
        default: return .retry("HTTP \(status): \(body.prefix(200))")
        }
    }
}
