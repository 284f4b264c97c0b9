import Logging
import ServiceLifecycle
import StrataCatalog

/// Marks a platform down when its agent misses `missedIntervals` intervals (an event), and retires VMs that no
/// hypervisor has listed for three of their agent's intervals, once a second; once a minute it retires servers
/// down or unknown for longer than `retireServersAfterMs`.
///
/// Agents get a grace period from the server's start: an outage of the server is not the agents' fault.
struct AvailabilityMonitor: Service {
    let catalog: any Catalog
    /// Where availability and retirement events go.
    let events: EventSink
    let missedIntervals: Int64
    let startedMs: Int64
    /// Servers down or unknown this long are retired (0: never).
    var retireServersAfterMs: Int64 = 0
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var seconds = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                seconds += 1
                await check(nowMs: Time.nowMs(), retireServers: seconds % 60 == 0)
            }
        }
    }

    func check(nowMs: Int64, retireServers: Bool = true) async {
        do {
            events.emit(try await catalog.markOverdueAgents(nowMs: nowMs, missedIntervals: missedIntervals, notBeforeMs: startedMs))
            events.emit(try await catalog.retireVanishedVMs(nowMs: nowMs))
            if retireServers { events.emit(try await catalog.retireGoneServers(afterMs: retireServersAfterMs, nowMs: nowMs)) }
        } catch {
            logger.error("availability check failed", metadata: ["error": "\(error)"])
        }
    }
}
