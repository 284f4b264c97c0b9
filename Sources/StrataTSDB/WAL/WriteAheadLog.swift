#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Dispatch
import Logging

/// The write-ahead log: numbered segment files of framed records (`docs/format/wal.md`).
///
/// `append` returns once the record is on disk (written and fsynced). Appends that arrive while a flush
/// runs wait for the next one and share its fsync (group commit), so the cost of fsync is spread over
/// every writer that was waiting.
public actor WriteAheadLog {
    /// What recovery found.
    public struct Recovery: Sendable {
        /// Valid record payloads in write order.
        public var records: [[UInt8]]
        /// Bytes of torn or corrupt tail that were cut.
        public var cutBytes: Int
        /// Whole segments after a corrupt record that were removed.
        public var removedSegments: Int
    }

    let directory: String
    let logger: Logger
    private let writer: SegmentWriter
    private var pending: [UInt8] = []
    private var waiters: [CheckedContinuation<Void, any Error>] = []
    private var flushing = false

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

    /// Appends one record and returns once it is durable.
    public func append(_ payload: [UInt8]) async throws {
        WALFraming.frame(payload, into: &pending)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            waiters.append(continuation)
            if !flushing {
                flushing = true
                Task { await self.flushLoop() }
            }
        }
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

    private func flushLoop() async {
        while !pending.isEmpty {
            let data = pending
            let batch = waiters
            pending = []
            waiters = []
            let result: Result<Void, any Error> = await withCheckedContinuation { continuation in
                writer.queue.async {
                    continuation.resume(returning: Result { try self.writer.writeAndSync(data) })
                }
            }
            if case .failure(let error) = result {
                logger.error("write-ahead log write failed", metadata: ["error": "\(error)"])
            }
            for waiter in batch { waiter.resume(with: result) }
        }
        flushing = false
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
