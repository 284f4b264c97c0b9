#if canImport(Glibc)
import Glibc
#endif

/// The label bytes of the series a `SeriesResolver` remembers, append-only, in pages that never move or change
/// once written: every snapshot of the resolver reads them without a lock while the resolver appends more under
/// its lock, so building a snapshot copies table slots, never label bytes (a private arena per snapshot held
/// every byte twice while a snapshot was built: 10 MB of 100k series' labels, then 20).
///
/// A series' bytes are cut into pieces (`LabelPieces`: one per label message) and each distinct piece is stored
/// once; an entry is the tenant's number (4 bytes), the piece count (4), the series id (8) and the location of
/// each piece (4 apiece). At 100k node_exporter series that is 36 bytes a series where the bytes themselves took
/// 110. A piece is its byte count (4) and its bytes. A location is the page number in the high 12 bits and the
/// offset in the page in the low 20; nothing straddles two pages.
final class LabelArena: @unchecked Sendable {
    // @unchecked: `pages`, `used`, `pieces` and `tenants` change only under the resolver's lock. A reader takes
    // copies of `pages` and `tenants` under that lock (a snapshot) and reads only what was written before it.

    /// Bits of a location that address a byte within a page.
    static let pageShift = 20
    static let pageSize = 1 << pageShift
    static let maxPages = 1 << (32 - pageShift)
    static let headerSize = 16
    static let pieceHeaderSize = 4
    /// The most pieces an entry holds; series with more are not remembered (they resolve the slow way).
    static let maxPieces = (pageSize - headerSize) / 4
    /// The longest piece stored; a series with a longer one is not remembered.
    static let maxPieceBytes = pageSize - pieceHeaderSize

    /// Page base addresses, in order.
    private(set) var pages: [UnsafeMutableRawPointer] = []
    /// Bytes used in the newest page.
    private var used = LabelArena.pageSize
    /// Every piece stored, by its bytes.
    private var pieces = LabelPieces.Table()
    /// Tenant names by number.
    private(set) var tenants: [String] = []
    /// Bytes of every entry and piece appended (headers included).
    private(set) var storedBytes = 0
    /// The seed of the pieces' hash: one per arena, so equal pieces always meet in `pieces` (entries of equal bytes
    /// then have equal locations, which `sameBytes` relies on).
    private let seed: UInt64

    /// An empty arena whose piece table hashes with `seed` (the resolver's, unknown to senders).
    init(seed: UInt64 = 0) { self.seed = seed }

    deinit {
        for page in pages { page.deallocate() }
    }

    /// The number of `tenant`, given one on first sight; nil past 2^32 tenants.
    func number(of tenant: String) -> UInt32? {
        if let known = tenants.firstIndex(of: tenant) { return UInt32(known) }
        guard tenants.count < Int(UInt32.max) else { return nil }
        tenants.append(tenant)
        return UInt32(tenants.count - 1)
    }

    /// Stores an entry for `bytes` (and the pieces no earlier entry stored); its location, or nil when a piece is
    /// longer than `maxPieceBytes` or the pieces more than `maxPieces` (nothing stored), or every page is used.
    func append(tenant: UInt32, id: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt32? {
        // Every bound checked before anything is stored: a refused series leaves no pieces behind.
        guard let ends = LabelPieces.ends(bytes, longestPiece: Self.maxPieceBytes), ends.count <= Self.maxPieces else { return nil }
        let count = ends.count
        var locations: [UInt32] = []
        locations.reserveCapacity(count)
        var position = 0
        for end in ends {
            let piece = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
            let location = pieces.intern(piece, hash: SeriesResolver.hash(piece, tenant: "", seed: seed),
                                         bytesAt: { self.piece($0) }) {
                guard let start = self.reserve(Self.pieceHeaderSize + piece.count) else { return nil }
                start.pointer.storeBytes(of: UInt32(piece.count), as: UInt32.self)
                if let source = piece.baseAddress { (start.pointer + Self.pieceHeaderSize).copyMemory(from: source, byteCount: piece.count) }
                return start.location
            }
            guard let location else { return nil }
            locations.append(location)
            position = end
        }
        guard let start = reserve(Self.headerSize + 4 * count) else { return nil }
        start.pointer.storeBytes(of: tenant, as: UInt32.self)
        (start.pointer + 4).storeBytes(of: UInt32(count), as: UInt32.self)
        (start.pointer + 8).storeBytes(of: id, as: UInt64.self)
        for (index, location) in locations.enumerated() {
            (start.pointer + Self.headerSize + 4 * index).storeBytes(of: location, as: UInt32.self)
        }
        return start.location
    }

    /// `size` bytes in the newest page (a new page when they do not fit), counted in `storedBytes`.
    private func reserve(_ size: Int) -> (pointer: UnsafeMutableRawPointer, location: UInt32)? {
        if used + size > Self.pageSize {
            guard pages.count < Self.maxPages else { return nil }
            pages.append(UnsafeMutableRawPointer.allocate(byteCount: Self.pageSize, alignment: 8))
            used = 0
        }
        let start = (pages[pages.count - 1] + used, UInt32((pages.count - 1) << Self.pageShift | used))
        used += size
        storedBytes += size
        return start
    }

    /// The bytes of the piece at `location` of this arena.
    private func piece(_ location: UInt32) -> UnsafeRawBufferPointer {
        pages.withUnsafeBufferPointer { Self.piece(location, in: $0) }
    }

    /// Where the entry or piece at `location` starts among `pages` (this arena's pages or a snapshot's copy).
    @inline(__always)
    static func entry(_ location: UInt32, in pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> UnsafeRawPointer {
        UnsafeRawPointer(pages[Int(location >> UInt32(pageShift))] + Int(location & UInt32(pageSize - 1)))
    }

    /// The bytes of the piece at `location` among `pages`.
    @inline(__always)
    static func piece(_ location: UInt32, in pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> UnsafeRawBufferPointer {
        let start = entry(location, in: pages)
        return UnsafeRawBufferPointer(start: start + pieceHeaderSize, count: Int(start.loadUnaligned(as: UInt32.self)))
    }

    /// The series id of the entry at `entry`.
    @inline(__always)
    static func id(_ entry: UnsafeRawPointer) -> UInt64 { entry.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }

    /// The tenant number of the entry at `entry`.
    @inline(__always)
    static func tenant(_ entry: UnsafeRawPointer) -> UInt32 { entry.loadUnaligned(as: UInt32.self) }

    /// The number of pieces of the entry at `entry`.
    @inline(__always)
    static func pieceCount(_ entry: UnsafeRawPointer) -> Int { Int(entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }

    /// Whether the entry at `entry` is these bytes of tenant number `tenant`: the same pieces, one by one.
    @inline(__always)
    static func holds(_ entry: UnsafeRawPointer, tenant: UInt32, bytes: UnsafeRawBufferPointer,
                      pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Bool {
        guard Self.tenant(entry) == tenant else { return false }
        let count = pieceCount(entry)
        var position = 0
        var index = 0
        while position < bytes.count {
            guard index < count else { return false }
            let end = LabelPieces.end(of: bytes, from: position)
            let stored = piece(entry.loadUnaligned(fromByteOffset: headerSize + 4 * index, as: UInt32.self), in: pages)
            guard stored.count == end - position,
                  memcmp(stored.baseAddress!, bytes.baseAddress! + position, stored.count) == 0 else { return false }
            position = end
            index += 1
        }
        return index == count
    }

    /// Whether two entries of this arena are the same series' bytes: pieces are stored once, so equal bytes have
    /// equal piece locations.
    static func sameBytes(_ first: UnsafeRawPointer, _ second: UnsafeRawPointer) -> Bool {
        let count = pieceCount(first)
        guard tenant(first) == tenant(second), count == pieceCount(second) else { return false }
        return count == 0 || memcmp(first + headerSize, second + headerSize, 4 * count) == 0
    }
}
