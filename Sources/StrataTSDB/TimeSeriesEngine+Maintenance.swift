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
            var tiers = Self.compactionTiers.filter { $0 <= span }
            if resolution == .raw, !tiers.contains(rollUpTier) { tiers.append(rollUpTier) }
            for tier in tiers {
                for group in compactionGroups(resolution, tier: tier) {
                    let root = blocksDirectory
                    let (merged, rolled) = try await Task.detached { try Self.compact(group, resolution: resolution, root: root) }.value
                    let inputs = Set(group.map(\.directory))
                    var list = (blocks[resolution] ?? []).filter { !inputs.contains($0.directory) }
                    if let merged { list.append(merged) }
                    blocks[resolution] = list.sorted { $0.index.minT < $1.index.minT }
                    install(rolled)
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
        var unrolled: [Block] = []
        for (resolution, list) in blocks {
            guard let keep = options.retentionMs[resolution] else { continue }
            let cutoff = now.subtractingReportingOverflow(keep).partialValue
            for block in list where block.index.maxT < cutoff {
                if transaction == nil { transaction = try BlockTransaction(root: blocksDirectory) }
                transaction!.remove(block.directory)
                expired[resolution, default: []].insert(block.directory)
                if resolution == .raw, !block.index.rolledUp { unrolled.append(block) }
            }
        }
        guard var transaction else { return 0 }
        // Raw blocks not rolled up yet leave their rollups behind, in the same transaction.
        var rolledPaths: [String] = []
        if !unrolled.isEmpty {
            var rollups = try RollupWriters(&transaction)
            for id in Set(unrolled.flatMap { $0.index.entries.map(\.id) }).sorted() {
                let holders = unrolled.filter { $0.lookup[id] != nil }
                let labels = holders[0].index.entries[holders[0].lookup[id]!].labels
                try rollups.add(id: id, labels: labels, samples: Self.merge(try holders.map { try $0.samples(series: id, from: .min, to: .max) }))
            }
            rolledPaths = try rollups.stage(&transaction)
        }
        try transaction.commit()
        install(try rolledPaths.map { try Block(directory: $0) })
        for (resolution, gone) in expired {
            blocks[resolution]?.removeAll { gone.contains($0.directory) }
            logger.info("blocks expired", metadata: ["resolution": "\(resolution.rawValue)", "blocks": "\(gone.count)"])
        }
        return expired.values.reduce(0) { $0 + $1.count }
    }

    /// Groups of two or more blocks starting in the same complete window of `tier`; at raw's largest tier
    /// (`rollUpTier`) also a single raw block not rolled up yet, so every settled raw block gets its rollups.
    func compactionGroups(_ resolution: Resolution, tier: Int64) -> [[Block]] {
        guard lastPersistedMax != .min else { return [] }
        var windows: [Int64: [Block]] = [:]
        for block in blocks[resolution] ?? [] { windows[floorDivide(block.index.minT, tier), default: []].append(block) }
        let rollUp = resolution == .raw && tier == rollUpTier
        return windows.sorted { $0.key < $1.key }.compactMap { window, members in
            let end = (window + 1) &* tier
            let due = members.count >= 2 || (rollUp && members.contains { !$0.index.rolledUp })
            guard due, end &+ options.blockDurationMs <= lastPersistedMax else { return nil }
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

    /// Merges `inputs` (oldest first) into one block of `resolution`, replacing them atomically; returns it and
    /// the rollup blocks written for raw inputs not rolled up yet. Raw samples present in two inputs keep the
    /// older block's value; rollup buckets of the same period are combined. One raw input not rolled up is
    /// rewritten as rolled up, with its rollups.
    static func compact(_ inputs: [Block], resolution: Resolution, root: String) throws -> (Block?, [Block]) {
        var transaction = try BlockTransaction(root: root)
        do {
            var writer = try transaction.writer(resolution)
            // Raw inputs not rolled up yet get their rollups in the same transaction; the merged block is rolled up.
            var rollups = resolution == .raw && inputs.contains(where: { !$0.index.rolledUp }) ? try RollupWriters(&transaction) : nil
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
                    let unrolled = zip(inputs.filter { $0.lookup[id] != nil }, parts).filter { !$0.0.index.rolledUp }.map { $0.1[0] }
                    if !unrolled.isEmpty { try rollups?.add(id: id, labels: labels, samples: merge(unrolled)) }
                } else {
                    let buckets = try parts.map { try Rollup.buckets(columns: $0, resolutionMs: resolution.milliseconds) }
                    try writer.add(id: id, labels: labels, columns: Rollup.columns(Rollup.merge(buckets)))
                }
            }
            let path = try transaction.stage(&writer)
            let rolled = try rollups?.stage(&transaction) ?? []
            for block in inputs { transaction.remove(block.directory) }
            try transaction.commit()
            return (try path.map { try Block(directory: $0) }, try rolled.map { try Block(directory: $0) })
        } catch {
            transaction.abandon()
            throw error
        }
    }
}

/// The 1 min and 1 h writers that roll up raw samples inside a block transaction.
struct RollupWriters {
    var minute: BlockWriter
    var hour: BlockWriter

    init(_ transaction: inout BlockTransaction) throws {
        minute = try transaction.writer(.minute)
        hour = try transaction.writer(.hour)
    }

    /// Adds one series' raw samples (sorted, unique timestamps) as buckets of both levels.
    mutating func add(id: StableID, labels: Labels, samples: [Sample]) throws {
        try minute.add(id: id, labels: labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.minute.milliseconds)))
        try hour.add(id: id, labels: labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.hour.milliseconds)))
    }

    /// Stages both blocks; returns the paths they will have once the transaction commits.
    mutating func stage(_ transaction: inout BlockTransaction) throws -> [String] {
        [try transaction.stage(&minute), try transaction.stage(&hour)].compactMap { $0 }
    }
}
