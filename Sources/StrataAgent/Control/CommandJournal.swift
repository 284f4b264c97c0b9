/// The agent's record of the commands it has started, which makes every command run at most once: `ID accepted`
/// is appended (and fsynced) before a command starts, `ID done` once the server acknowledged its result. Pure: it
/// reads and writes the journal's text; `CommandJournalFile` does the file I/O.
///
/// A command id in the journal is never run again. An id `accepted` without `done` when the agent starts was
/// running when the agent stopped (kill -9 included): its outcome is unknown, so it is reported `interrupted`.
struct CommandJournal: Sendable, Equatable {
    /// The last thing journaled for a command.
    enum Entry: String, Sendable, Equatable {
        /// About to start (or started): never run it again.
        case accepted
        /// Its result was acknowledged: nothing more to do.
        case done
    }

    /// What to do with a fetched command.
    enum Decision: Sendable, Equatable {
        /// Not in the journal: check it and maybe run it.
        case run
        /// Already journaled (started before, or finished): skip it.
        case skip(Entry)
    }

    /// Ids in the order they were first journaled.
    private(set) var order: [String] = []
    /// The last entry of each id.
    private(set) var entries: [String: Entry] = [:]
    /// Lines the text holds (a compaction is due when they far outnumber the ids kept).
    private(set) var lineCount = 0
    /// Whether the text ended inside a line (a crash during an append): the journal must be rewritten before the
    /// next append, or that line would run into it.
    private(set) var tornTail = false

    /// Ids of finished commands kept by a compaction (unfinished ones are always kept).
    static let keptIDs = 10_000

    /// An empty journal.
    init() {}

    /// The journal `text` holds. Lines that are not `ID accepted` or `ID done` (a torn last line) are left out.
    init(text: [UInt8]) {
        tornTail = !text.isEmpty && text.last != UInt8(ascii: "\n")
        for line in text.split(separator: UInt8(ascii: "\n")) {
            lineCount += 1
            let words = line.split(separator: UInt8(ascii: " "))
            guard words.count == 2, let entry = Entry(rawValue: String(decoding: words[1], as: UTF8.self)) else { continue }
            let id = String(decoding: words[0], as: UTF8.self)
            guard Self.isValidID(id) else { continue }
            record(id, entry, countingLine: false)
        }
    }

    /// Whether `id` can be journaled and used in a URL path: 1–128 letters, digits, `-`, `_` or `.`, not `.` or `..`.
    static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && id != "." && id != ".." && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: ".")
        }
    }

    /// Whether a fetched command with `id` may run.
    func decision(for id: String) -> Decision {
        entries[id].map(Decision.skip) ?? .run
    }

    /// Ids accepted without done, in journal order: at start, the commands the agent stopped while running.
    var unfinished: [String] { order.filter { entries[$0] == .accepted } }

    /// Notes `entry` for `id`, as one more line.
    mutating func record(_ id: String, _ entry: Entry) {
        record(id, entry, countingLine: true)
    }

    private mutating func record(_ id: String, _ entry: Entry, countingLine: Bool) {
        if countingLine { lineCount += 1 }
        if entries[id] == nil { order.append(id) }
        // `done` is final: a late `accepted` line cannot reopen a finished command.
        if entries[id] != .done { entries[id] = entry }
    }

    /// The line that journals `entry` for `id`.
    static func line(_ id: String, _ entry: Entry) -> [UInt8] { Array("\(id) \(entry.rawValue)\n".utf8) }

    /// Whether the text should be rewritten: a torn last line, or more than twice the lines a compaction keeps.
    var needsRewrite: Bool { tornTail || lineCount > 2 * (Self.keptIDs + unfinished.count) }

    /// The journal with every unfinished command and the last `keeping` finished ones, one line each
    /// (`accepted` or `done`, the last entry), in journal order.
    func compacted(keeping: Int = keptIDs) -> CommandJournal {
        var finished = 0
        var kept: [String] = []
        for id in order.reversed() {
            if entries[id] == .done {
                guard finished < keeping else { continue }
                finished += 1
            }
            kept.append(id)
        }
        var journal = CommandJournal()
        for id in kept.reversed() { journal.record(id, entries[id] ?? .done) }
        return journal
    }

    /// The text of the journal, one line per id (its last entry): what a rewrite stores.
    var text: [UInt8] { order.flatMap { Self.line($0, entries[$0] ?? .done) } }
}
