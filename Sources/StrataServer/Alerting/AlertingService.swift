import Foundation
import Logging
import ServiceLifecycle
import StrataAPI
import StrataCatalog
import UnixSignals

/// Runs alerting: resumes the evaluator from the catalog, reads `DATA/alerts/*.yaml` (again on SIGHUP), then
/// evaluates committed samples from the feed, stored events from the sink, and a 1 s tick, until shutdown.
struct AlertingService: Service {
    let evaluator: AlertEvaluator
    let feed: AlertFeed
    let sink: EventSink
    let definitionsDirectory: String
    let logger: Logger

    func run() async throws {
        do {
            try await evaluator.load()
        } catch {
            logger.error("alerting could not load its state; alerts are not evaluated", metadata: ["error": "\(error)"])
            return
        }
        await loadFiles()
        let (events, continuation) = AsyncStream.makeStream(of: [EventRecord].self, bufferingPolicy: .bufferingNewest(10_000))
        let subscription = sink.subscribe(tenantID: nil) { batch in continuation.yield(batch) }
        defer { sink.cancel(subscription) }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        let (items, dropped) = await feed.take()
                        if dropped > 0 { logger.warning("alerting fell behind ingest; oldest samples skipped", metadata: ["samples": "\(dropped)"]) }
                        if !items.isEmpty { await evaluator.process(items) }
                    }
                }
                group.addTask {
                    for await batch in events { await evaluator.process(batch) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(1))
                        await evaluator.tick()
                    }
                }
                group.addTask {
                    for await _ in hangups { await loadFiles() }
                }
                await group.next()
                group.cancelAll()
            }
        }
        continuation.finish()
    }

    /// Applies the definition files: each valid file's definitions replace what that file defined before; a file
    /// with an error keeps its previous definitions and is reported.
    func loadFiles() async {
        let scan = DefinitionFiles.scan(definitionsDirectory) { body, tenant throws(DefinitionError) in
            _ = try DefinitionCompiler.compile(body, tenantID: tenant, origin: "file")
        }
        for (path, message) in scan.errors {
            logger.error("alert definition file refused; its previous definitions stay in force", metadata: ["file": "\(path)", "error": "\(message)"])
        }
        await evaluator.applyFiles(scan)
    }
}
