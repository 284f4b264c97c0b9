import Logging
import ServiceLifecycle
import StrataCatalog

/// Marks a platform down when its agent misses `missedIntervals` intervals (an event), and retires VMs that no
/// hypervisor has listed for three of their agent's intervals, once a second.
///
/// Agents get a grace period from the server's start: an outage of the server is not the agents' fault.
struct AvailabilityMonitor: Service {
    let catalog: any Catalog
    /// Where availability and retirement events go.
    let events: EventSink
    let missedIntervals: Int64
    let startedMs: Int64
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                await check(nowMs: Time.nowMs())
            }
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
