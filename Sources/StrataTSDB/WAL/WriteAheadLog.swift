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
        /// Valid record payloads in write order.
        public var records: [[UInt8]]
        /// Bytes of torn or corrupt tail that were cut.
        public var cutBytes: Int
        /// Whole segments after a corrupt record that were removed.
        public var removedSegments: Int
    }

    struct State: ~Copyable {
        var pending: [UInt8] = []
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

    /// Opens the log in `directory` for appending after `recover` has run.
    public init(directory: String, segmentSize: Int = 128 << 20, logger: Logger) throws(StorageIOError) {
        self.directory = directory
        self.logger = logger
        try Files.makeDirectory(directory)
        writer = try SegmentWriter(directory: directory, segmentSize: segmentSize)
    }

    /// Reads every valid record; cuts a torn tail (a crash mid-write) and drops anything after a corrupt
    /// record, logging how much. Never fails on bad data, only on I/O errors.
    public static func recover(directory: String, logger: Logger) throws(StorageIOError) -> Recovery {
        try Files.makeDirectory(directory)
        var recovery = Recovery(records: [], cutBytes: 0, removedSegments: 0)
        var broken = false
        for name in SegmentWriter.segmentNames(in: directory) {
            let path = directory + "/" + name
            if broken {
                recovery.removedSegments += 1
                unlink(path)
                continue
            }
            let bytes = try Files.readAll(path)
            let scan = WALFraming.scan(bytes)
            recovery.records += scan.records.map(Array.init)
            if scan.validLength < bytes.count {
                recovery.cutBytes += bytes.count - scan.validLength
                try Files.truncate(path, to: scan.validLength)
                broken = true
            }
        }
        if recovery.cutBytes > 0 || recovery.removedSegments > 0 {
            Files.syncDirectory(directory)
            logger.warning("write-ahead log had a torn or corrupt tail; cut it", metadata: [
                "cutBytes": "\(recovery.cutBytes)", "removedSegments": "\(recovery.removedSegments)",
                "recoveredRecords": "\(recovery.records.count)",
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

    /// Appends one record and returns once it is durable.
    public func append(_ payload: [UInt8]) async throws {
        try await waitUntilDurable(enqueue(payload))
    }

    /// Segment numbers on disk, oldest first.
    public func segments() -> [Int] {
        SegmentWriter.segmentNames(in: directory).compactMap { Int($0) }
    }

    /// Starts a new segment so that everything written so far is in earlier segments; returns its number.
    public func cut() throws -> Int {
        try writer.queue.sync { try writer.rotate() }
    }

    /// Deletes segments numbered below `number` (their records are persisted elsewhere).
    public func removeSegments(below number: Int) {
        for segment in segments() where segment < number {
            unlink(directory + "/" + SegmentWriter.name(of: segment))
        }
        Files.syncDirectory(directory)
    }

    /// Runs on the writer's queue: writes and fsyncs whatever is pending until nothing is.
    private func flushLoop() {
        while true {
            let (data, ticket): ([UInt8], UInt64) = state.withLock { state in
                defer { state.pending = [] }
                return (state.pending, state.enqueued)
            }
            var failure: StorageIOError?
            if !data.isEmpty {
                do { try writer.writeAndSync(data) } catch { failure = error }
            }
            let ready: [CheckedContinuation<Void, any Error>] = state.withLock { state in
                if let failure { state.failure = failure } else { state.durable = ticket }
                let done = state.waiters.filter { $0.ticket <= state.durable || state.failure != nil }
                state.waiters.removeAll { $0.ticket <= state.durable || state.failure != nil }
                if state.waiters.isEmpty { state.flushing = false }
                return done.map(\.continuation)
            }
            for continuation in ready {
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
            }
            if let failure {
                logger.error("write-ahead log write failed; refusing further writes", metadata: ["error": "\(failure)"])
            }
            let more = state.withLock { $0.flushing }
            if !more { return }
        }
    }
}

/// The open segment file. Used only on `queue`, which serialises every access.
final class SegmentWriter: @unchecked Sendable {
    // @unchecked: all mutable state is touched only from `queue` (a serial queue).
    let queue = DispatchQueue(label: "strata.tsdb.wal")
    let directory: String
    let segmentSize: Int
    private var fd: Int32 = -1
    private var number: Int
    private var size = 0

    init(directory: String, segmentSize: Int) throws(StorageIOError) {
        self.directory = directory
        self.segmentSize = segmentSize
        number = Self.segmentNames(in: directory).compactMap { Int($0) }.last ?? 1
        try open()
    }

    static func name(of number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    static func segmentNames(in directory: String) -> [String] {
        Files.list(directory).filter { $0.count == 8 && Int($0) != nil }
    }

    private func open() throws(StorageIOError) {
        let path = directory + "/" + Self.name(of: number)
        fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        var info = stat()
        fstat(fd, &info)
        size = Int(info.st_size)
        Files.syncDirectory(directory)
    }

    func rotate() throws(StorageIOError) -> Int {
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        number += 1
        try open()
        return number
    }

    func writeAndSync(_ bytes: [UInt8]) throws(StorageIOError) {
        if size > 0 && size + bytes.count > segmentSize { _ = try rotate() }
        try Files.writeAll(fd, bytes, path: Self.name(of: number))
        size += bytes.count
        guard fdatasync(fd) == 0 else { throw StorageIOError(operation: "fsync wal segment \(number)", code: errno) }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }
}
