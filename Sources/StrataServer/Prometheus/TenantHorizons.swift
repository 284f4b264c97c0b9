import Synchronization

/// The newest sample each tenant has remote-written: the reference of Prometheus's out-of-bounds window (1 h
/// behind the head's newest sample), kept per tenant so that no tenant moves another's window. It is never
/// more than the engine's future tolerance (10 minutes) ahead of the clock, since later samples are refused.
/// Held in memory: after a restart a tenant's first request sets it again, as an empty Prometheus head
/// accepts any first sample.
final class TenantHorizons: Sendable {
    private let newest = Mutex<[String: Int64]>([:])

    /// The newest timestamp `tenant` has written, if any.
    func newest(_ tenant: String) -> Int64? { newest.withLock { $0[tenant] } }

    /// Records that `tenant` stored a sample at `timestampMs`.
    func advance(_ tenant: String, to timestampMs: Int64) {
        newest.withLock { newest in
            if newest[tenant].map({ $0 < timestampMs }) ?? true { newest[tenant] = timestampMs }
        }
    }
}
