#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Logging
import Synchronization

/// The write-ahead log: numbered segment files of framed records (`docs/format/wal.md`).
///
/// `enqueue` frames a record synchronously, so records reach the log in exactly the order callers
/// enqueue them (the engine enqueues under its own isolation, in the order it applies samples);
/// `waitUntilDurable` returns once that record is written and fsynced. Records enqueued while a flush
/// runs share the next fsync (group commit).
public final class WriteAheadLog: Sendable {
    /// What recovery found.
    public struct Recovery: Sendable {
        /// Valid record payloads in write order (empty when each was handed over as it was read).
        public var records: [[UInt8]]
        /// How many valid records were read.
        public var recordCount = 0
        /// Bytes of torn or corrupt tail that were cut.
        public var cutBytes: Int
        /// Whole segments after a corrupt record that were removed.
        public var removedSegments: Int
        /// The newest segment and where its records end (a preallocated segment has zeros after them).
        public var tail: (segment: Int, dataEnd: Int)?
    }

    struct State: ~Copyable {
        var pending: [UInt8] = []
        /// Offsets in `pending` where a cut starts a new segment, in order.
        var cuts: [Int] = []
        var enqueued: UInt64 = 0
        var durable: UInt64 = 0
        var failure: StorageIOError?
        var flushing = false
        var waiters: [(ticket: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    }

    let directory: String
    let logger: Logger
    private let writer: SegmentWriter
    private let state = Mutex(State())

    /// Opens the log in `directory` for appending after `recover` has run (pass its result as `recovered`
    /// to spare a second read of the newest segment). `preallocate` zero-fills segments ahead of use.
    public init(directory: String, segmentSize: Int = 128 << 20, preallocate: Bool = true, recovered: Recovery? = nil,
                logger: Logger) throws(StorageIOError) {
        self.directory = directory
        self.logger = logger
        try Files.makeDirectory(directory)
        writer = try SegmentWriter(directory: directory, segmentSize: segmentSize, preallocate: preallocate,
                                   recoveredTail: recovered?.tail, logger: logger)
    }

    /// Reads every valid record; cuts a torn tail (a crash mid-write) and drops anything after a corrupt
    /// record, logging how much. Never fails on bad data, only on I/O errors. Keeps every record in memory
    /// (tests and tools; the engine replays with `recover(directory:logger:each:)`).
    public static func recover(directory: String, logger: Logger) throws(StorageIOError) -> Recovery {
        var records: [[UInt8]] = []
        var recovery = try recover(directory: directory, logger: logger) { records.append(Array($0)) }
        recovery.records = records
        return recovery
    }

    /// Reads every valid record in order, handing each to `each` as it is read — one segment block at a time is
    /// held, not the log — and cuts a torn tail or drops what follows a corrupt record as `recover` does. The
    /// result's `records` is empty.
    public static func recover(directory: String, logger: Logger,
                               each: (ArraySlice<UInt8>) -> Void) throws(StorageIOError) -> Recovery {
        try Files.makeDirectory(directory)
        var recovery = Recovery(records: [], cutBytes: 0, removedSegments: 0, tail: nil)
        var broken = false
        for name in SegmentWriter.segmentNames(in: directory) {
            let path = directory + "/" + name
            if broken {
                recovery.removedSegments += 1
                unlink(path)
                continue
            }
            let outcome = try SegmentReader.read(path) { payload in
                recovery.recordCount += 1
                each(payload)
            }
            recovery.tail = (Int(name) ?? 0, outcome.validLength)
            // Zeros after the records are a preallocated segment's unused space, not damage.
            if !outcome.tailIsZero {
                var info = stat()
                let size = stat(path, &info) == 0 ? Int(info.st_size) : outcome.validLength
                recovery.cutBytes += size - outcome.validLength
                try Files.truncate(path, to: outcome.validLength)
                broken = true
            }
        }
        if recovery.cutBytes > 0 || recovery.removedSegments > 0 {
            Files.syncDirectory(directory)
            logger.warning("write-ahead log had a torn or corrupt tail; cut it", metadata: [
                "cutBytes": "\(recovery.cutBytes)", "removedSegments": "\(recovery.removedSegments)",
                "recoveredRecords": "\(recovery.recordCount)",
            ])
        }
        return recovery
    }

    /// Frames a record into the log's buffer and returns its ticket for `waitUntilDurable`.
    public func enqueue(_ payload: [UInt8]) -> UInt64 {
        state.withLock { state in
            WALFraming.frame(payload, into: &state.pending)
            state.enqueued += 1
            return state.enqueued
        }
    }

    /// Returns once the record with `ticket` (and every earlier one) is durable.
    public func waitUntilDurable(_ ticket: UInt64) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startFlush: Bool = state.withLock { state in
                if let failure = state.failure {
                    continuation.resume(throwing: failure)
                    return false
                }
                if state.durable >= ticket {
                    continuation.resume()
                    return false
                }
                state.waiters.append((ticket, continuation))
                guard !state.flushing else { return false }
                state.flushing = true
                return true
            }
            if startFlush { writer.queue.async { self.flushLoop() } }
        }
    }

    /// Starts writing and syncing what is enqueued, if no flush is running, without waiting for it (a later
    /// `waitUntilDurable` finds it done or in progress).
    public func startFlush() {
        let start: Bool = state.withLock { state in
            guard state.failure == nil, !state.flushing, !state.pending.isEmpty else { return false }
            state.flushing = true
            return true
        }
        if start { writer.queue.async { self.flushLoop() } }
    }

    /// Appends one record and returns once it is durable.
    public func append(_ payload: [UInt8]) async throws {
        try await waitUntilDurable(enqueue(payload))
    }

    /// Segment numbers on disk, oldest first.
    public func segments() -> [Int] {
        SegmentWriter.segmentNames(in: directory).compactMap { Int($0) }
    }

    /// Starts a new segment after everything enqueued so far, without waiting: every segment numbered below the
    /// returned number holds only records enqueued before the cut (the rotation itself happens on the writer's
    /// queue, in order with the records, so the caller — the engine actor cutting for a head persist — never
    /// waits for a sync, a rotation or a directory sync). Throws only when the log has already failed.
    public func cut() throws -> Int {
        let (number, start): (Int, Bool) = try state.withLock { state in
            if let failure = state.failure { throw failure }
            // Read before the cut is queued, so the rotation it asks for cannot have happened yet: it makes a
            // segment numbered above this one, and anything below `number + 1` was written before the cut.
            let number = writer.currentNumber.load(ordering: .acquiring)
            state.cuts.append(state.pending.count)
            guard !state.flushing else { return (number, false) }
            state.flushing = true
            return (number, true)
        }
        if start { writer.queue.async { self.flushLoop() } }
        return number + 1
    }

    /// Returns once every cut so far has been carried out; throws if the log failed (a rotation could not be
    /// made). Waits off the caller's thread.
    public func waitForCuts() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // The loop that carries out the cuts was queued (or is running) before this barrier.
            writer.queue.async { continuation.resume() }
        }
        if let failure = state.withLock({ $0.failure }) { throw failure }
    }

    /// Leaves the log as small as it can be at rest: the current segment cut to its records, no prepared
    /// segment (call after the head was persisted, before the process exits). Waits for the writer.
    public func trim() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.queue.async {
                self.writer.trim()
                continuation.resume()
            }
        }
    }

    /// Returns once the writer and any segment preparation it started are done (tests).
    func settle() {
        writer.queue.sync {}
        writer.waitForPreparer()
    }

    /// Deletes segments numbered below `number` (their records are persisted elsewhere), once the cut that
    /// made `number` has been carried out.
    public func removeSegments(below number: Int) {
        // A barrier: the cut's rotation was queued before this, so it has run when this returns.
        writer.queue.sync {}
        for segment in segments() where segment < number {
            unlink(directory + "/" + SegmentWriter.name(of: segment))
        }
        Files.syncDirectory(directory)
    }

    /// Runs on the writer's queue: writes and fsyncs whatever is pending until nothing is.
    private func flushLoop() {
        while true {
            writePending()
            let more = state.withLock { $0.flushing }
            if !more { return }
        }
    }

    /// Runs on the writer's queue: writes and fsyncs what is pending, marks it durable and resumes its waiters.
    private func writePending() {
        let (data, cuts, ticket): ([UInt8], [Int], UInt64) = state.withLock { state in
            defer {
                state.pending = []
                state.cuts = []
            }
            return (state.pending, state.cuts, state.enqueued)
        }
        var failure: StorageIOError?
        do {
            // Records before each cut go to the segment before it.
            var written = 0
            for cut in cuts {
                if cut > written { try writer.writeAndSync(Array(data[written..<cut])) }
                _ = try writer.rotate(.cut)
                written = cut
            }
            if written < data.count { try writer.writeAndSync(written == 0 ? data : Array(data[written...])) }
        } catch {
            failure = error
        }
        let ready: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            if let failure { state.failure = failure } else { state.durable = ticket }
            let done = state.waiters.filter { $0.ticket <= state.durable || state.failure != nil }
            state.waiters.removeAll { $0.ticket <= state.durable || state.failure != nil }
            // Records or a cut queued meanwhile keep the loop going (`enqueue`, `startFlush` and `cut` start no
            // loop while one runs): the next flush starts now, not when its caller gets round to waiting.
            // Waiters left over have tickets above `durable`, so their records are pending.
            if state.failure != nil || (state.pending.isEmpty && state.cuts.isEmpty) { state.flushing = false }
            return done.map(\.continuation)
        }
        for continuation in ready {
            if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
        }
        if let failure {
            logger.error("write-ahead log write failed; refusing further writes", metadata: ["error": "\(failure)"])
        }
    }
}
