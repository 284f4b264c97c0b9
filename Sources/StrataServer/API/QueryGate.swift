import Synchronization

/// Bounds how many queries each tenant runs at once, so one tenant's slow queries cannot take every query
/// thread from the others: past `perTenant`, a tenant's next query is answered 429 until one finishes.
final class QueryGate: Sendable {
    let perTenant: Int
    private let running = Mutex<[String: Int]>([:])

    /// A gate of `perTenant` concurrent queries per tenant.
    init(perTenant: Int = 4) {
        self.perTenant = perTenant
    }

    /// Runs `body` as one of `tenant`'s queries, or throws 429 when the tenant already runs `perTenant`.
    func run<T>(tenant: String, _ body: () async throws -> T) async throws -> T {
        let admitted = running.withLock { counts in
            guard counts[tenant, default: 0] < perTenant else { return false }
            counts[tenant, default: 0] += 1
            return true
        }
        guard admitted else {
            throw APIError.tooManyRequests("this tenant already runs \(perTenant) queries; retry when one has finished", retryAfterSeconds: 1)
        }
        defer {
            running.withLock { counts in
                counts[tenant, default: 1] -= 1
                if counts[tenant] == 0 { counts[tenant] = nil }
            }
        }
        return try await body()
    }
}
