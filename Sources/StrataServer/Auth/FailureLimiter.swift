import Synchronization

/// Counts failed authentications per key (an address, or an address and user name) within a window. Past
/// `maxFailures`, further failures with that key are answered 429 until the window ends. Callers check only
/// after a credential failed (or, for passwords, pause before checking one), so a valid credential is never
/// refused because of others' failures.
public final class FailureLimiter: Sendable {
    let maxFailures: Int
    let windowMs: Int64
    private let windows = Mutex<[String: (startMs: Int64, failures: Int)]>([:])

    /// Creates a limiter: `maxFailures` per `windowMs` per key.
    public init(maxFailures: Int = 20, windowMs: Int64 = 60_000) {
        self.maxFailures = maxFailures
        self.windowMs = windowMs
    }

    /// Throws 429 if `key` used up its failures in the current window.
    func check(_ key: String, nowMs: Int64) throws {
        let retryAfterMs: Int64? = windows.withLock { windows in
            guard let window = windows[key], nowMs - window.startMs < windowMs, window.failures >= maxFailures else { return nil }
            return window.startMs + windowMs - nowMs
        }
        if let retryAfterMs {
            throw APIError.tooManyRequests("too many failed authentications for \(key); retry in \((retryAfterMs + 999) / 1000) s",
                                           retryAfterSeconds: (retryAfterMs + 999) / 1000)
        }
    }

    /// Records that a credential of `key` failed: throws 429 if `key` had already used up its failures in the
    /// current window, else counts this one (the caller then answers 401).
    func failed(_ key: String, nowMs: Int64) throws {
        try check(key, nowMs: nowMs)
        fail(key, nowMs: nowMs)
    }

    /// Counts a failure from `key`.
    private func fail(_ key: String, nowMs: Int64) {
        windows.withLock { windows in
            if windows.count > 100_000 { windows = windows.filter { nowMs - $0.value.startMs < windowMs } }
            if let window = windows[key], nowMs - window.startMs < windowMs {
                windows[key] = (window.startMs, window.failures + 1)
            } else {
                windows[key] = (nowMs, 1)
            }
        }
    }
}
