import Logging
import ServiceLifecycle
import StrataCatalog

/// Deletes events past their retention, at start and then once an hour.
struct EventRetention: Service {
    let catalog: any Catalog
    /// Events older than this are deleted.
    let retentionMs: Int64
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await apply(nowMs: Time.nowMs())
                try await Task.sleep(for: .seconds(3600))
            }
        }
    }

    /// Deletes the events older than the retention.
    func apply(nowMs: Int64) async {
        do {
            let deleted = try await catalog.deleteEvents(olderThanMs: nowMs.subtractingReportingOverflow(retentionMs).partialValue)
            if deleted > 0 { logger.info("events past their retention deleted", metadata: ["count": "\(deleted)"]) }
        } catch {
            logger.error("event retention failed", metadata: ["error": "\(error)"])
        }
    }
}
