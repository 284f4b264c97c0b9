import Logging
import ServiceLifecycle
import StrataCatalog

/// Marks a platform down when its agent misses `missedIntervals` intervals (an event), and retires VMs that no
/// hypervisor has listed for three of their agent's intervals, once a second; deletes events past their
/// retention once an hour.
///
/// Agents get a grace period from the server's start: an outage of the server is not the agents' fault.
struct AvailabilityMonitor: Service {
    let catalog: any Catalog
    /// Where availability and retirement events go.
    let events: EventSink
    let missedIntervals: Int64
    let startedMs: Int64
    /// Events older than this are deleted, once an hour.
    var eventRetentionMs: Int64 = 31 * 86_400_000
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var nextRetentionMs: Int64 = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                let now = Time.nowMs()
                await check(nowMs: now)
                if now >= nextRetentionMs {
                    await applyEventRetention(nowMs: now)
                    nextRetentionMs = now + 3_600_000
                }
            }
        }
    }

    /// Deletes the events older than the retention.
    func applyEventRetention(nowMs: Int64) async {
        do {
            let deleted = try await catalog.deleteEvents(olderThanMs: nowMs - eventRetentionMs)
            if deleted > 0 { logger.info("events past their retention deleted", metadata: ["count": "\(deleted)"]) }
        } catch {
            logger.error("event retention failed", metadata: ["error": "\(error)"])
        }
    }

    func check(nowMs: Int64) async {
        do {
            events.emit(try await catalog.markOverdueAgents(nowMs: nowMs, missedIntervals: missedIntervals, notBeforeMs: startedMs))
            events.emit(try await catalog.retireVanishedVMs(nowMs: nowMs))
        } catch {
            logger.error("availability check failed", metadata: ["error": "\(error)"])
        }
    }
}
