import StrataCore

/// Adds and removes blocks atomically: all of a transaction's changes become visible, or none do.
///
/// New blocks are written under `blocks/.staging-<id>/<resolution>/<name>`. `commit` writes the plan (which
/// blocks to move into place, which to delete) to a `commit` file with one atomic rename — the commit point
/// — then carries it out. On open, `recover` finishes every committed staging directory (each step is
/// idempotent) and deletes uncommitted ones, whose data is still in the WAL or in the input blocks.
/// Used by head persistence (a raw block), compaction and roll-up (the merged or rolled-up block and the rollups
/// of raw inputs replace the inputs) and retention (expiring blocks, with the rollups of raw ones not rolled up
/// yet), so a crash never leaves a sample in two blocks or in none.
struct BlockTransaction {
    let root: String
    let staging: String
    private(set) var added: [String] = []
    private var removed: [String] = []
    private var writers = 0

    /// Starts a transaction in the blocks directory `root`.
    init(root: String) throws(StorageIOError) {
        self.root = root
        var generator = SystemRandomNumberGenerator()
        staging = root + "/.staging-" + StableID(rawValue: generator.next()).description
        try Files.makeDirectory(staging)
    }

    /// A writer for a new block of `resolution`, to be passed to `stage` when filled.
    mutating func writer(_ resolution: Resolution) throws(StorageIOError) -> BlockWriter {
        writers += 1
        return try BlockWriter(directory: staging + "/writing-\(writers)", resolution: resolution)
    }

    /// Finishes `writer`'s block and stages it. Returns the path the block will have once committed, or
    /// nil when the block is empty.
    mutating func stage(_ writer: inout BlockWriter) throws(StorageIOError) -> String? {
        guard let index = try writer.finish() else { return nil }
        let resolution = Resolution(milliseconds: writer.resolutionMs) ?? .raw
        var generator = SystemRandomNumberGenerator()
        let relative = resolution.directoryName + "/\(index.minT)-\(index.maxT)-\(StableID(rawValue: generator.next()))"
        try Files.makeDirectory(staging + "/" + resolution.directoryName)
        try Files.rename(writer.directory, staging + "/" + relative)
        added.append(relative)
        return root + "/" + relative
    }

    /// Deletes the block at `path` (under `root`) when the transaction commits.
    mutating func remove(_ path: String) {
        removed.append(String(path.dropFirst(root.count + 1)))
    }

    /// Makes the transaction durable, then applies it.
    func commit() throws(StorageIOError) {
        Files.syncDirectory(staging)
        let plan = added.map { "add " + $0 + "\n" }.joined() + removed.map { "remove " + $0 + "\n" }.joined()
        try Files.writeSynced(staging + "/commit.tmp", Array(plan.utf8))
        try Files.rename(staging + "/commit.tmp", staging + "/commit")
        Files.syncDirectory(staging)
        try Self.apply(staging: staging, root: root)
    }

    /// Whether the plan is durable (`commit` got that far): from then on the next open finishes applying it.
    var isCommitted: Bool { Files.exists(staging + "/commit") }

    /// Drops everything staged.
    func abandon() {
        Files.removeTree(staging)
    }

    /// Carries out a committed plan. Idempotent: a crash part-way is finished by the next `recover`.
    static func apply(staging: String, root: String) throws(StorageIOError) {
        let plan = String(decoding: try Files.readAll(staging + "/commit"), as: UTF8.self)
        var touched = Set<String>()
        for line in plan.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].contains(".."), parts[1].split(separator: "/").count == 2 else { continue }
            let relative = parts[1]
            let folder = root + "/" + relative.split(separator: "/")[0]
            touched.insert(folder)
            switch parts[0] {
            case "add":
                if Files.exists(staging + "/" + relative) {
                    try Files.makeDirectory(folder)
                    try Files.rename(staging + "/" + relative, root + "/" + relative)
                }
            case "remove":
                let path = root + "/" + relative
                if Files.exists(path) {
                    // Hidden first, so a half-deleted block is never opened as a block.
                    let hidden = folder + "/.removing-" + relative.split(separator: "/")[1]
                    try Files.rename(path, hidden)
                    Files.removeTree(hidden)
                }
            default:
                continue
            }
        }
        for folder in touched { Files.syncDirectory(folder) }
        Files.removeTree(staging)
        Files.syncDirectory(root)
    }

    /// Finishes committed transactions left by a crash and deletes uncommitted ones. Returns how many of
    /// each it found.
    static func recover(root: String) throws(StorageIOError) -> (finished: Int, dropped: Int) {
        var finished = 0
        var dropped = 0
        for name in Files.list(root) where name.hasPrefix(".staging-") {
            let staging = root + "/" + name
            if Files.exists(staging + "/commit") {
                try apply(staging: staging, root: root)
                finished += 1
            } else {
                Files.removeTree(staging)
                dropped += 1
            }
        }
        return (finished, dropped)
    }
}
