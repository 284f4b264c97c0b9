#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// `DATA/commands.journal` on disk: `CommandJournal` kept in memory, each entry appended and fsynced before it
/// counts, and the file rewritten atomically (temporary file, fsync, rename) when it grew to twice what a
/// compaction keeps or ends in a torn line. Shared by the agent's command threads.
final class CommandJournalFile: Sendable {
    let path: String
    /// The journal and the file descriptor it appends to, changed together under the lock.
    private let state: Mutex<(journal: CommandJournal, fd: Int32)>
    /// Ids accepted without done when the agent started: interrupted by its stop.
    let interruptedAtStart: [String]

    /// Opens (or creates, mode 0600) the journal at `path`, rewriting it first when it needs it.
    init(path: String) throws(FileError) {
        self.path = path
        var journal = CommandJournal(text: HostFS(root: "/").readBytes(path, limit: 64 << 20) ?? [])
        if journal.needsRewrite {
            journal = journal.compacted()
            try FileIO.writeAtomically(journal.text, to: path)
        }
        interruptedAtStart = journal.unfinished
        let fd = try Self.openForAppend(path)
        state = Mutex((journal, fd))
    }

    deinit { _ = state.withLock { close($0.fd) } }

    /// Whether a fetched command with `id` may run.
    func decision(for id: String) -> CommandJournal.Decision {
        state.withLock { $0.journal.decision(for: id) }
    }

    /// Appends `entry` for `id` and fsyncs it; only then is it noted. Compacts the file when it has grown.
    func record(_ id: String, _ entry: CommandJournal.Entry) throws(FileError) {
        try state.withLock { (state: inout (journal: CommandJournal, fd: Int32)) throws(FileError) in
            try Self.append(CommandJournal.line(id, entry), to: state.fd, path: path)
            state.journal.record(id, entry)
            guard state.journal.needsRewrite else { return }
            let compacted = state.journal.compacted()
            try FileIO.writeAtomically(compacted.text, to: path)
            close(state.fd)
            state.fd = try Self.openForAppend(path)
            state.journal = compacted
        }
    }

    private static func openForAppend(_ path: String) throws(FileError) -> Int32 {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw FileError(path: path, operation: "open", code: errno) }
        return fd
    }

    private static func append(_ bytes: [UInt8], to fd: Int32, path: String) throws(FileError) {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "write", code: errno)
            }
            written += count
        }
        guard fsync(fd) == 0 else { throw FileError(path: path, operation: "fsync", code: errno) }
    }
}
