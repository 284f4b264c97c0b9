#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// The agent's on-disk queue of encoded batches not yet acknowledged by the server.
///
/// One file per batch, named by its zero-padded sequence number, written atomically. Bounded by a
/// number of batches and a number of bytes; when a new batch would exceed either, the oldest are
/// dropped and counted. Invariant: files are replayed in sequence order.
public struct Spool: Sendable {
    /// The spool directory.
    public let directory: String
    /// Most batches kept.
    public let maxBatches: Int
    /// Most bytes kept.
    public let maxBytes: Int
    /// Batches dropped because the spool was full, since this process started.
    public private(set) var droppedBatches = 0

    /// Opens (creating if needed) the spool in `directory`.
    public init(directory: String, maxBatches: Int = 8640, maxBytes: Int = 64 << 20) throws(FileError) {
        self.directory = directory
        self.maxBatches = max(1, maxBatches)
        self.maxBytes = max(1, maxBytes)
        try FileIO.makeDirectories(directory)
    }

    /// Sequence numbers of spooled batches, oldest first.
    public func pending() -> [UInt64] {
        HostFS(root: "/").list(directory).compactMap { name -> UInt64? in
            guard name.hasSuffix(".batch") else { return nil }
            return UInt64(name.dropLast(6))
        }.sorted()
    }

    func path(of sequence: UInt64) -> String {
        let digits = String(sequence)
        return directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + ".batch"
    }

    /// Adds a batch, first dropping the oldest batches if the bounds would be exceeded.
    /// Returns how many batches were dropped to make room.
    @discardableResult
    public mutating func append(sequence: UInt64, body: [UInt8], logger: Logger) throws(FileError) -> Int {
        var sequences = pending()
        var total = sequences.reduce(0) { $0 + (FileIO.size(path(of: $1)) ?? 0) }
        var dropped = 0
        while !sequences.isEmpty && (sequences.count + 1 > maxBatches || total + body.count > maxBytes) {
            let oldest = sequences.removeFirst()
            total -= FileIO.size(path(of: oldest)) ?? 0
            unlink(path(of: oldest))
            dropped += 1
        }
        if dropped > 0 {
            droppedBatches += dropped
            logger.warning("spool full, dropped oldest batches", metadata: [
                "dropped": "\(dropped)", "droppedTotal": "\(droppedBatches)",
                "maxBatches": "\(maxBatches)", "maxBytes": "\(maxBytes)",
            ])
        }
        try FileIO.writeAtomically(body, to: path(of: sequence))
        return dropped
    }

    /// The encoded body of a spooled batch.
    public func read(sequence: UInt64) -> [UInt8]? {
        HostFS(root: "/").readBytes(path(of: sequence), limit: Int.max)
    }

    /// Removes an acknowledged batch.
    public func remove(sequence: UInt64) {
        unlink(path(of: sequence))
    }
}
