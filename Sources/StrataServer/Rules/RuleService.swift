import Foundation
import Logging
import ServiceLifecycle
import StrataCatalog
import UnixSignals

/// Runs the rule files: reads `DATA/rules` at start and on SIGHUP (a refused file is logged with its problems and
/// its previous rules stay), then evaluates the groups that are due every `tick` until shutdown.
struct RuleService: Service {
    let engine: RuleEngine
    let catalog: any Catalog
    let directory: String
    let logger: Logger
    let clock: @Sendable () -> Int64
    var tick: Duration = .milliseconds(200)

    func run() async throws {
        await load()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        await engine.evaluateDue(nowMs: clock())
                        try? await Task.sleep(for: tick)
                    }
                }
                group.addTask {
                    for await _ in hangups { await load() }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Reads the rule files and applies them.
    func load() async {
        let scan = RuleFiles.scan(directory)
        for (path, message) in scan.errors {
            logger.error("rule file refused; its previous rules stay in force", metadata: ["file": "\(path)", "error": "\(message)"])
        }
        let tenants = Set(((try? await catalog.tenants()) ?? []).map(\.id))
        await engine.apply(scan, tenants: tenants)
    }
}
