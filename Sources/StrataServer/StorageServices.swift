import Logging
import ServiceLifecycle
import StrataTSDB

/// Persists the time-series head as soon as an append finds it spanning a block's duration (the engine's
/// `headDue` signal); one persist at a time, appends going on meanwhile (the engine writes blocks off its
/// actor). A failed persist leaves the samples in the head and the WAL and is tried at the next signal.
struct HeadPersistence: Service {
    let engine: TimeSeriesEngine
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            for await _ in engine.headDue {
                guard await engine.headIsDue else { continue }
                do {
                    try await engine.persistHead()
                } catch {
                    logger.error("persisting the head failed; its samples stay in the head and the WAL and it is tried again",
                                 metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// Applies retention and compacts blocks after each head persist, and at least hourly (retention moves with
/// the clock); off the engine actor, one pass at a time.
struct BlockMaintenance: Service {
    let engine: TimeSeriesEngine
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var lastPersist: ContinuousClock.Instant?
            var lastPass = ContinuousClock.now - .seconds(3600)
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(10))
                let persisted = await engine.lastPersist?.finished
                guard persisted != lastPersist || ContinuousClock.now - lastPass >= .seconds(3600) else { continue }
                lastPersist = persisted
                lastPass = ContinuousClock.now
                do {
                    let report = try await engine.maintain()
                    if report.expiredBlocks + report.compactions > 0 {
                        logger.info("block maintenance", metadata: ["expired": "\(report.expiredBlocks)", "compactions": "\(report.compactions)"])
                    }
                } catch {
                    logger.error("block maintenance failed; it is tried again", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
