import Synchronization

/// Slows password and token guessing: after `maxFailures` failed authentications from one address within
/// a window, that address gets 429 until the window ends.
public final class FailureLimiter: Sendable {
    let maxFailures: Int
    let windowMs: Int64
    private let windows = Mutex<[String: (startMs: Int64, failures: Int)]>([:])

    /// Creates a limiter: `maxFailures` per `windowMs` per address.
    public init(maxFailures: Int = 20, windowMs: Int64 = 60_000) {
        self.maxFailures = maxFailures
        self.windowMs = windowMs
    }

    /// Throws 429 if `address` used up its failures in the current window.
    func check(_ address: String, nowMs: Int64) throws {
        let retryAfterMs: Int64? = windows.withLock { windows in
            guard let window = windows[address], nowMs - window.startMs < windowMs, window.failures >= maxFailures else { return nil }
            return window.startMs + windowMs - nowMs
        }
        if let retryAfterMs {
            throw APIError.tooManyRequests("too many failed authentications from \(address); retry in \((retryAfterMs + 999) / 1000) s",
                                           retryAfterSeconds: (retryAfterMs + 999) / 1000)
        }
    }

    /// Counts a failure from `address`.
    func fail(_ address: String, nowMs: Int64) {
        windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { nowMs - $0.value.startMs < windowMs } }
            if let window = windows[address], nowMs - window.startMs < windowMs {
                windows[address] = (window.startMs, window.failures + 1)
            } else {
                windows[address] = (nowMs, 1)
            }
        }
    }
}
