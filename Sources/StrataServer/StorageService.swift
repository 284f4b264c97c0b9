import Logging
import ServiceLifecycle
import StrataTSDB

/// Keeps the time-series engine for the server's life and persists its head on graceful shutdown, after
/// the HTTP server and the other jobs have stopped (it is first in the service group, so it stops last). (Every acknowledged sample is already in the WAL; persisting
/// only spares the next start a replay.)
struct StorageService: Service {
    let engine: TimeSeriesEngine
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try await engine.close()
            logger.info("time-series head persisted")
        } catch {
            logger.error("persisting the time-series head failed; the WAL still holds every acknowledged sample",
                         metadata: ["error": "\(error)"])
        }
    }
}
