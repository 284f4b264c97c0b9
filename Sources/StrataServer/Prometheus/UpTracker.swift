import StrataCore
import StrataInventory
import Synchronization

/// The remote-written `up` series and what each last said, so that a target's scrape result reaches its server
/// or source as an availability change (not as a write per sample): `watch` an `up` series when first seen,
/// `observe` each accepted batch, and pass the changes on. A series silent for `staleAfterMs` (Prometheus stopped
/// writing) counts as stale, as Prometheus's staleness marker does.
final class UpTracker: Sendable {
    /// A change of one target's `up` series: true 1, false 0, nil stale.
    typealias Change = (target: ScrapeTarget, up: Bool?)

    private struct Watched {
        let tenant: String
        let target: ScrapeTarget
        /// What the catalog was last told; nil before the first reading or after staleness.
        var up: Bool?
        var told = false
        var lastMs: Int64
    }

    private let watched = Mutex<[StableID: Watched]>([:])
    let staleAfterMs: Int64

    init(staleAfterMs: Int64 = 5 * 60_000) {
        self.staleAfterMs = staleAfterMs
    }

    /// Whether `labels` name an `up` series (the synthetic series Prometheus writes for every scrape).
    static func isUp(_ labels: Labels) -> Bool { labels[Labels.metricName] == "up" }

    /// Starts following `series` of `tenant`, the `up` of scrape `target`.
    func watch(_ series: StableID, tenant: String, target: ScrapeTarget, nowMs: Int64) {
        watched.withLock { watched in
            if watched[series] == nil { watched[series] = Watched(tenant: tenant, target: target, lastMs: nowMs) }
        }
    }

    /// The changes `batch` (accepted for `tenant`) brings to watched series, newest sample per series.
    func observe(_ batch: SampleBatch, nowMs: Int64) -> [Change] {
        watched.withLock { watched in
            guard !watched.isEmpty else { return [] }
            var newest: [StableID: (Int64, Double)] = [:]
            for index in 0..<batch.count where watched[batch.seriesIDs[index]] != nil {
                let series = batch.seriesIDs[index]
                if let seen = newest[series], seen.0 > batch.timestamps[index] { continue }
                newest[series] = (batch.timestamps[index], batch.values[index])
            }
            var changes: [Change] = []
            for (series, (_, value)) in newest {
                let up: Bool? = Sample.isStaleMarker(value) ? nil : (value.isNaN ? false : value > 0)
                watched[series]!.lastMs = nowMs
                if watched[series]!.told, watched[series]!.up == up { continue }
                watched[series]!.up = up
                watched[series]!.told = true
                changes.append((watched[series]!.target, up))
            }
            return changes
        }
    }

    /// The series of each tenant silent since before `nowMs - staleAfterMs`, now stale (each reported once).
    func expire(nowMs: Int64) -> [String: [Change]] {
        watched.withLock { watched in
            var stale: [String: [Change]] = [:]
            for (series, entry) in watched where nowMs - entry.lastMs > staleAfterMs && !(entry.told && entry.up == nil) {
                watched[series]!.up = nil
                watched[series]!.told = true
                stale[entry.tenant, default: []].append((entry.target, nil))
            }
            return stale
        }
    }
}
