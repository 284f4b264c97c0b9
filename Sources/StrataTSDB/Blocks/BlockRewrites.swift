import StrataCore

/// Rewrites of persisted blocks, each in one `BlockTransaction`, run off the engine actor: compaction (with the
/// roll-up of raw inputs not rolled up yet) and retention (with the roll-up of expiring raw blocks). Each returns
/// the paths of the blocks it wrote once the transaction is committed; a transaction committed but not applied is
/// finished at the next open, so it is never retried (which would store its samples twice).
enum BlockRewrites {
    /// Merges `inputs` (oldest first) into one block of `resolution`, replacing them; for raw inputs not rolled
    /// up yet, writes the 1 min and 1 h buckets of their samples that the merged block keeps and no rolled-up
    /// input holds. Raw samples present in two inputs keep the older block's value; rollup buckets of the same
    /// period are combined. One raw input not rolled up is rewritten as rolled up, with its rollups.
    static func compact(_ inputs: [Block], resolution: Resolution, root: String) throws -> [String] {
        var transaction = try BlockTransaction(root: root)
        let staged: [String]
        do {
            var writer = try transaction.writer(resolution)
            var rollups = resolution == .raw && inputs.contains(where: { !$0.index.rolledUp }) ? try RollupWriters(&transaction) : nil
            var ids = Set<StableID>()
            for block in inputs { ids.formUnion(block.index.ids) }
            for id in ids.sorted() {
                var labels = Labels()
                var parts: [(rolledUp: Bool, columns: [[Sample]])] = []
                for block in inputs {
                    guard let position = block.lookup[id] else { continue }
                    if labels.isEmpty { labels = block.index.labels(at: position) }
                    parts.append((block.index.rolledUp, try block.columns(at: position, from: .min, to: .max)))
                }
                if resolution == .raw {
                    let merged = TimeSeriesEngine.merge(parts.map { $0.columns[0] })
                    try writer.add(id: id, labels: labels, columns: [merged])
                    if rollups != nil {
                        // Rolled-up inputs' samples are in rollups already: only the others are added, once each.
                        let rolled = Set(parts.filter(\.rolledUp).flatMap { $0.columns[0].map(\.timestampMs) })
                        let fresh = rolled.isEmpty ? merged : merged.filter { !rolled.contains($0.timestampMs) }
                        if !fresh.isEmpty { try rollups!.add(id: id, labels: labels, samples: fresh) }
                    }
                } else {
                    let buckets = try parts.map { try Rollup.buckets(columns: $0.columns, resolutionMs: resolution.milliseconds) }
                    try writer.add(id: id, labels: labels, columns: Rollup.storedColumns(Rollup.merge(buckets)))
                }
            }
            staged = [try transaction.stage(&writer)].compactMap { $0 } + (try rollups?.stage(&transaction) ?? [])
            for block in inputs { transaction.remove(block.directory) }
        } catch {
            transaction.abandon()
            throw error
        }
        return try commit(&transaction, staged)
    }

    /// Deletes `blocks`; each raw one not rolled up yet leaves its own 1 min and 1 h blocks behind, for the levels
    /// whose retention (`cutoffs`) still holds its newest sample.
    static func expire(_ blocks: [Block], cutoffs: [Resolution: Int64], root: String) throws -> [String] {
        var transaction = try BlockTransaction(root: root)
        var staged: [String] = []
        do {
            for block in blocks where block.resolution == .raw && !block.index.rolledUp {
                let levels = [Resolution.minute, .hour].filter { block.index.maxT >= cutoffs[$0] ?? .min }
                guard !levels.isEmpty else { continue }
                var rollups = try RollupWriters(&transaction, levels: levels)
                for (position, id) in block.index.ids.enumerated() {
                    try rollups.add(id: id, labels: block.index.labels(at: position), samples: try block.samples(series: id, from: .min, to: .max))
                }
                staged += try rollups.stage(&transaction)
            }
            for block in blocks { transaction.remove(block.directory) }
        } catch {
            transaction.abandon()
            throw error
        }
        return try commit(&transaction, staged)
    }

    /// Commits `transaction`; the staged paths once committed (none when committed but not applied: the next open
    /// finishes it, so the samples are safe in the plan — abandoning would delete it, retrying would store them
    /// twice). Not committed: nothing happened, the error is thrown.
    static func commit(_ transaction: inout BlockTransaction, _ staged: [String]) throws -> [String] {
        do {
            try transaction.commit()
        } catch {
            guard transaction.isCommitted else {
                transaction.abandon()
                throw error
            }
            return []
        }
        return staged
    }
}

/// The 1 min and 1 h writers that roll up raw samples inside a block transaction.
struct RollupWriters {
    private var writers: [(resolution: Resolution, writer: BlockWriter)]

    init(_ transaction: inout BlockTransaction, levels: [Resolution] = [.minute, .hour]) throws {
        writers = []
        for level in levels { writers.append((level, try transaction.writer(level))) }
    }

    /// Adds one series' raw samples (sorted, unique timestamps) as buckets of every level.
    mutating func add(id: StableID, labels: Labels, samples: [Sample]) throws {
        for index in writers.indices {
            let buckets = Rollup.buckets(samples, resolutionMs: writers[index].resolution.milliseconds)
            try writers[index].writer.add(id: id, labels: labels, columns: Rollup.storedColumns(buckets))
        }
    }

    /// Stages every level's block; returns the paths they will have once the transaction commits.
    mutating func stage(_ transaction: inout BlockTransaction) throws -> [String] {
        var paths: [String] = []
        for index in writers.indices {
            if let path = try transaction.stage(&writers[index].writer) { paths.append(path) }
        }
        return paths
    }
}
