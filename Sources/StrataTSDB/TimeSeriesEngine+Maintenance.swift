import Logging
import StrataCore

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    /// Blocks deleted by retention.
    public var expiredBlocks = 0
    /// Compactions run (each merged two or more blocks into one).
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
    /// newest persisted sample). Merging runs outside the actor, so ingest goes on meanwhile; the merged
    /// block replaces its inputs in one `BlockTransaction`. One pass runs at a time: a call while another
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
        report.expiredBlocks = try applyRetention()
        for resolution in Resolution.allCases {
            let span = options.compactionSpanMs[resolution] ?? 0
            for tier in Self.compactionTiers where tier <= span {
                for group in compactionGroups(resolution, tier: tier) {
                    let root = blocksDirectory
                    let merged = try await Task.detached { try Self.compact(group, resolution: resolution, root: root) }.value
                    let inputs = Set(group.map(\.directory))
                    var list = (blocks[resolution] ?? []).filter { !inputs.contains($0.directory) }
                    if let merged { list.append(merged) }
                    blocks[resolution] = list.sorted { $0.index.minT < $1.index.minT }
                    report.compactions += 1
                    report.compactedBlocks += group.count
                    logger.info("blocks compacted", metadata: [
                        "resolution": "\(resolution.rawValue)", "inputs": "\(group.count)",
                        "block": "\(merged?.directory ?? "-")", "samples": "\(merged?.index.samples ?? 0)",
                    ])
                }
            }
        }
        return report
    }

    /// Deletes the blocks of each resolution that lie wholly before its retention, behind `referenceMs` (the
    /// clock, or the newest sample if earlier: a tenant's far-future sample cannot expire another's data).
    func applyRetention() throws -> Int {
        guard newestAppended != .min else { return 0 }
        let now = referenceMs
        var transaction: BlockTransaction?
        var expired: [Resolution: Set<String>] = [:]
        for (resolution, list) in blocks {
            guard let keep = options.retentionMs[resolution] else { continue }
            let cutoff = now.subtractingReportingOverflow(keep).partialValue
            for block in list where block.index.maxT < cutoff {
                if transaction == nil { transaction = try BlockTransaction(root: blocksDirectory) }
                transaction!.remove(block.directory)
                expired[resolution, default: []].insert(block.directory)
            }
        }
        guard let transaction else { return 0 }
        try transaction.commit()
        for (resolution, gone) in expired {
            blocks[resolution]?.removeAll { gone.contains($0.directory) }
            logger.info("blocks expired", metadata: ["resolution": "\(resolution.rawValue)", "blocks": "\(gone.count)"])
        }
        return expired.values.reduce(0) { $0 + $1.count }
    }

    /// Groups of two or more blocks starting in the same complete window of `tier`.
    func compactionGroups(_ resolution: Resolution, tier: Int64) -> [[Block]] {
        guard lastPersistedMax != .min else { return [] }
        var windows: [Int64: [Block]] = [:]
        for block in blocks[resolution] ?? [] { windows[floorDivide(block.index.minT, tier), default: []].append(block) }
        return windows.sorted { $0.key < $1.key }.compactMap { window, members in
            let end = (window + 1) &* tier
            guard members.count >= 2, end &+ options.blockDurationMs <= lastPersistedMax else { return nil }
            return members
        }
    }

    /// Merges `inputs` (oldest first) into one block of `resolution`, replacing them atomically.
    /// Raw samples present in two inputs keep the older block's value; rollup buckets of the same period
    /// are combined.
    static func compact(_ inputs: [Block], resolution: Resolution, root: String) throws -> Block? {
        var transaction = try BlockTransaction(root: root)
        do {
            var writer = try transaction.writer(resolution)
            var ids = Set<StableID>()
            for block in inputs { for entry in block.index.entries { ids.insert(entry.id) } }
            for id in ids.sorted() {
                var labels = Labels()
                var parts: [[[Sample]]] = []
                for block in inputs {
                    guard let position = block.lookup[id] else { continue }
                    if labels.isEmpty { labels = block.index.entries[position].labels }
                    parts.append(try block.columns(at: position, from: .min, to: .max))
                }
                if resolution == .raw {
                    try writer.add(id: id, labels: labels, columns: [merge(parts.map { $0[0] })])
                } else {
                    let buckets = try parts.map { try Rollup.buckets(columns: $0, resolutionMs: resolution.milliseconds) }
                    try writer.add(id: id, labels: labels, columns: Rollup.columns(Rollup.merge(buckets)))
                }
            }
            let path = try transaction.stage(&writer)
            for block in inputs { transaction.remove(block.directory) }
            try transaction.commit()
            return try path.map { try Block(directory: $0) }
        } catch {
            transaction.abandon()
            throw error
        }
    }
}
