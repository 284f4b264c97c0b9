import Hummingbird
import Synchronization

/// A token bucket per client address: `ratePerSecond` requests a second on average, bursts up to `burst`.
/// Over the limit a request gets 429 with `Retry-After`.
public final class RateLimiter: Sendable {
    let ratePerSecond: Double
    let burst: Double
    private let buckets = Mutex<[String: (tokens: Double, atMs: Int64)]>([:])

    /// Creates a limiter.
    public init(ratePerSecond: Double, burst: Double) {
        self.ratePerSecond = ratePerSecond
        self.burst = max(1, burst)
    }

    /// Takes one token for `address`; throws 429 if none is left.
    func take(_ address: String, nowMs: Int64) throws {
        let waitMs: Int64? = buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = buckets[address] ?? (burst, nowMs)
            bucket.tokens = min(burst, bucket.tokens + Double(max(0, nowMs - bucket.atMs)) * ratePerSecond / 1000)
            bucket.atMs = nowMs
            defer { buckets[address] = bucket }
            guard bucket.tokens >= 1 else { return Int64(((1 - bucket.tokens) * 1000 / ratePerSecond).rounded(.up)) }
            bucket.tokens -= 1
            return nil
        }
        if let waitMs {
            let seconds = max(1, (waitMs + 999) / 1000)
            throw APIError.tooManyRequests("more than \(Int(ratePerSecond)) requests a second from \(address); retry in \(seconds) s",
                                           retryAfterSeconds: seconds)
        }
    }
}

/// Applies a `RateLimiter` by the client's address before anything else runs.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            try limiter.take(context.remoteAddress, nowMs: Time.nowMs())
        } catch var error as APIError where Self.isRemoteWrite(request.uri.path) {
            // Prometheus drops a batch answered 429 unless told to retry it (`retry_on_http_429`, off by default in
            // 2.42) but retries a 5xx with backoff: a remote-write sender over the limit is slowed, not losing data.
            error.status = .serviceUnavailable
            error.errorType = "unavailable"
            throw error
        }
        return try await next(request, context)
    }

    /// The remote-write receivers' paths.
    static func isRemoteWrite(_ path: String) -> Bool { path == "/api/v1/write" || path == "/prometheus/api/v1/write" }
}
