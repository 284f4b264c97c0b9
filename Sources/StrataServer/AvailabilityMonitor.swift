import Logging
import ServiceLifecycle
import StrataCatalog

/// Marks a platform down when its agent misses `missedIntervals` intervals (an event), and retires VMs that no
/// hypervisor has listed for three of their agent's intervals, once a second.
///
/// Agents get a grace period from the server's start: an outage of the server is not the agents' fault.
struct AvailabilityMonitor: Service {
    let catalog: any Catalog
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
            let events = try await catalog.markOverdueAgents(nowMs: nowMs, missedIntervals: missedIntervals, notBeforeMs: startedMs)
            for event in events {
                logger.warning("platform down", metadata: ["resource": "\(event.resourceID ?? "-")", "message": "\(event.message)"])
            }
            for event in try await catalog.retireVanishedVMs(nowMs: nowMs) {
                logger.info("vm retired", metadata: ["resource": "\(event.resourceID ?? "-")", "message": "\(event.message)"])
            }
        } catch {
            logger.error("availability check failed", metadata: ["error": "\(error)"])
        }
    }
}
