@testable import StrataServer
import Synchronization

/// A Unix-ms clock for a server under test that stands still until the test moves it.
final class ManualClock: Sendable {
    private let now: Mutex<Int64>

    /// A clock reading `startMs` (the real time by default).
    init(startMs: Int64 = Time.nowMs()) {
        now = Mutex(startMs)
    }

    /// What the clock reads.
    var nowMs: Int64 { now.withLock { $0 } }

    /// Moves the clock forward by `ms`.
    func advance(by ms: Int64) {
        now.withLock { $0 += ms }
    }
}
