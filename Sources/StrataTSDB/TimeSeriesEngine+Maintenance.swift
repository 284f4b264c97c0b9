import Logging
import StrataCore

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    /// Blocks deleted by retention.
    public var expiredBlocks = 0
    /// Compactions run (each merged two or more blocks into one, or rewrote one raw block as rolled up).
    public var compactions = 0
    /// Blocks merged away by those compactions.
    public var compactedBlocks = 0

    /// An empty report.
    public init() {}
}

extension TimeSeriesEngine {
    /// Compaction windows tried in turn, smallest first; each resolution stops at its `compactionSpanMs`.
    static let compactionTiers: [Int64] = [8, 24, 7 * 24, 30 * 24].map { $0 * 3_600_000 }

    /// Persists the head in the background (the append that asked does not wait), then runs maintenance.
    func schedulePersist() {
        guard scheduledPersist == nil, persisting == nil else { return }
        scheduledPersist = Task {
            await self.persistScheduledHead()
        }
    }

    /// Returns once the persist an append scheduled, and the maintenance pass after it, have finished (for
    /// tests and benchmarks; appends never wait for them).
    public func settle() async {
        // The scheduled task clears its handle before it completes, so this loop never spins.
        while let scheduled = scheduledPersist { await scheduled.value }
        // A persist clears its handle before it completes, so this loop never spins either.
        while let running = persisting { _ = try? await running.value }
        // A maintenance pass clears its handle only after its task completes: wait once, not in a loop.
        if let running = maintenanceTask { _ = try? await running.value }
    }

    private func persistScheduledHead() async {
        defer { scheduledPersist = nil }
        do {
            try await persistHead()
            if options.automaticMaintenance { startMaintenance() }
        } catch {
            logger.error("persisting the head failed; its samples stay in the head and the WAL and it is tried again",
                         metadata: ["error": "\(error)"])
        }
    }

    /// Starts a maintenance pass in the background unless one is running.
    func startMaintenance() {
        guard maintenanceTask == nil else { return }
        Task {
            do {
                try await self.maintain()
            } catch {
                self.logger.error("block maintenance failed; it is retried after the next head persistence", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Applies retention, then compacts blocks: per resolution and tier, the blocks starting in the same
    /// aligned window are merged into one once the window is complete (its end a block duration behind the
    /// newest persisted sample); at raw's largest tier a lone raw block not rolled up yet is rewritten with its
    /// rollups. Merging runs outside the actor, so ingest goes on meanwhile; the merged block (and the rollups of
    /// raw inputs not rolled up yet) replaces its inputs in one `BlockTransaction`. One pass runs at a time: a call while another
    /// runs waits for it, then runs its own.
    @discardableResult
    public func maintain() async throws -> MaintenanceReport {
        // Passes are chained: each starts once the one before it has finished.
        let previous = maintenanceTask
        let task = Task {
            _ = try? await previous?.value
            return try await self.maintenancePass()
        }
        maintenanceTask = task
        defer { if maintenanceTask == task { maintenanceTask = nil } }
        return try await task.value
    }

    private func maintenancePass() async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        report.expiredBlocks = try await applyRetention()
        for resolution in Resolution.allCases {
            let span = options.compactionSpanMs[resolution] ?? 0
            var tiers = Self.compactionTiers.filter { $0 <= span }
            if resolution == .raw, !tiers.contains(rollUpTier) { tiers.append(rollUpTier) }
            for tier in tiers {
                for group in compactionGroups(resolution, tier: tier) {
                    let root = blocksDirectory
                    let written = try await Task.detached { try BlockRewrites.compact(group, resolution: resolution, root: root) }.value
                    // Committed: the inputs are gone, whatever opens is queried (a block that fails to open is
                    // logged and found again at the next start); a committed rewrite is never run twice.
                    let opened = await open(written)
                    let inputs = Set(group.map(\.directory))
                    blocks[resolution] = (blocks[resolution] ?? []).filter { !inputs.contains($0.directory) }
                    install(opened)
                    report.compactions += 1
                    report.compactedBlocks += group.count
                    let merged = opened.first { $0.resolution == resolution }
                    logger.info(group.count > 1 ? "blocks compacted" : "block rolled up", metadata: [
                        "resolution": "\(resolution.rawValue)", "inputs": "\(group.count)",
                        "block": "\(merged?.directory ?? "-")", "samples": "\(merged?.index.samples ?? 0)",
                    ])
                }
            }
        }
        return report
    }

    /// Deletes the blocks of each resolution that lie wholly before its retention, behind `referenceMs` (the
    /// clock, or the newest sample if earlier: a tenant's far-future sample cannot expire another's data). A raw
    /// block not rolled up yet leaves its own 1 min and 1 h blocks behind (for the levels whose retention still
    /// holds it), in the same transaction, written off the actor.
    func applyRetention() async throws -> Int {
        guard newestAppended != .min else { return 0 }
        let now = referenceMs
        var expired: [Resolution: [Block]] = [:]
        var cutoffs: [Resolution: Int64] = [:]
        for (resolution, list) in blocks {
            guard let keep = options.retentionMs[resolution] else { continue }
            let cutoff = now.subtractingReportingOverflow(keep).partialValue
            cutoffs[resolution] = cutoff
            let old = list.filter { $0.index.maxT < cutoff }
            if !old.isEmpty { expired[resolution] = old }
        }
        guard !expired.isEmpty else { return 0 }
        let root = blocksDirectory
        let doomed = expired.values.flatMap { $0 }
        let written = try await Task.detached { try BlockRewrites.expire(doomed, cutoffs: cutoffs, root: root) }.value
        let opened = await open(written)
        for (resolution, gone) in expired {
            let directories = Set(gone.map(\.directory))
            blocks[resolution]?.removeAll { directories.contains($0.directory) }
            logger.info("blocks expired", metadata: ["resolution": "\(resolution.rawValue)", "blocks": "\(gone.count)"])
        }
        install(opened)
        return doomed.count
    }

    /// The blocks at `paths`, opened off the actor; one that fails to open is logged and left in place.
    func open(_ paths: [String]) async -> [Block] {
        let results = (try? await BackgroundThreads.storage.run { paths.map { path in (path, Result { try Block(directory: path) }) } }) ?? []
        return results.compactMap { path, result in
            switch result {
            case .success(let block): return block
            case .failure(let error):
                logger.error("a written block cannot be opened; it is left in place and not queried", metadata: ["block": "\(path)", "error": "\(error)"])
                return nil
            }
        }
    }

    /// Groups of two or more blocks starting in the same complete window of `tier`; at raw's largest tier
    /// (`rollUpTier`) also a single raw block not rolled up yet, so every settled raw block gets its rollups.
    func compactionGroups(_ resolution: Resolution, tier: Int64) -> [[Block]] {
        guard lastPersistedMax != .min else { return [] }
        var windows: [Int64: [Block]] = [:]
        for block in blocks[resolution] ?? [] { windows[floorDivide(block.index.minT, tier), default: []].append(block) }
        let rollUp = resolution == .raw && tier == rollUpTier
        return windows.sorted { $0.key < $1.key }.compactMap { window, members in
            let (end, past) = (window &+ 1).multipliedReportingOverflow(by: tier)
            let (settled, beyond) = end.addingReportingOverflow(options.blockDurationMs)
            let due = members.count >= 2 || (rollUp && members.contains { !$0.index.rolledUp })
            // A window whose end cannot be computed is never complete.
            guard due, !past, !beyond, settled <= lastPersistedMax else { return nil }
            return members
        }
    }

    /// The window after which a raw block is rolled up: raw's largest compaction tier, else the block duration.
    var rollUpTier: Int64 {
        Self.compactionTiers.last { $0 <= options.compactionSpanMs[.raw] ?? 0 } ?? max(1, options.blockDurationMs)
    }

    /// Adds rollup blocks written by compaction or retention to the query set.
    func install(_ rolled: [Block]) {
        for block in rolled {
            blocks[block.resolution, default: []].append(block)
            blocks[block.resolution]?.sort { $0.index.minT < $1.index.minT }
        }
    }
}
