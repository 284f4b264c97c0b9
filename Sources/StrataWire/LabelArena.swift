#if canImport(Glibc)
import Glibc
#endif

/// The label bytes of the series a `SeriesResolver` remembers, append-only, in pages that never move or change
/// once written: every snapshot of the resolver reads them without a lock while the resolver appends more under
/// its lock, so building a snapshot copies table slots, never label bytes (a private arena per snapshot held
/// every byte twice while a snapshot was built: 10 MB of 100k series' labels, then 20).
///
/// An entry is the tenant's number (4 bytes), the byte count (4), the series id (8) and the label bytes, at a
/// `location`: the page number in the high 12 bits, the offset in the page in the low 20. An entry never straddles
/// two pages.
final class LabelArena: @unchecked Sendable {
    // @unchecked: `pages`, `used` and `tenants` change only under the resolver's lock. A reader takes copies of
    // `pages` and `tenants` under that lock (a snapshot) and reads only entries written before it took them.

    /// Bits of a location that address a byte within a page.
    static let pageShift = 20
    static let pageSize = 1 << pageShift
    static let maxPages = 1 << (32 - pageShift)
    static let headerSize = 16
    /// The longest label bytes an entry holds; longer series are not remembered (they resolve the slow way).
    static let maxBytes = pageSize - headerSize

    /// Page base addresses, in order.
    private(set) var pages: [UnsafeMutableRawPointer] = []
    /// Bytes used in the newest page.
    private var used = LabelArena.pageSize
    /// Tenant names by number.
    private(set) var tenants: [String] = []
    /// Bytes of every entry appended (headers included).
    private(set) var storedBytes = 0

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

    /// Copies an entry in; its location, or nil when the bytes are longer than `maxBytes` or every page is used.
    func append(tenant: UInt32, id: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt32? {
        guard bytes.count <= Self.maxBytes else { return nil }
        let size = Self.headerSize + bytes.count
        if used + size > Self.pageSize {
            guard pages.count < Self.maxPages else { return nil }
            pages.append(UnsafeMutableRawPointer.allocate(byteCount: Self.pageSize, alignment: 8))
            used = 0
        }
        let start = pages[pages.count - 1] + used
        start.storeBytes(of: tenant, as: UInt32.self)
        (start + 4).storeBytes(of: UInt32(bytes.count), as: UInt32.self)
        (start + 8).storeBytes(of: id, as: UInt64.self)
        if let source = bytes.baseAddress { (start + Self.headerSize).copyMemory(from: source, byteCount: bytes.count) }
        let location = UInt32((pages.count - 1) << Self.pageShift | used)
        used += size
        storedBytes += size
        return location
    }

    /// Where the entry at `location` starts among `pages` (this arena's pages or a snapshot's copy of them).
    @inline(__always)
    static func entry(_ location: UInt32, in pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> UnsafeRawPointer {
        UnsafeRawPointer(pages[Int(location >> UInt32(pageShift))] + Int(location & UInt32(pageSize - 1)))
    }

    /// The series id of the entry at `entry`.
    @inline(__always)
    static func id(_ entry: UnsafeRawPointer) -> UInt64 { entry.loadUnaligned(fromByteOffset: 8, as: UInt64.self) }

    /// The tenant number and label bytes of the entry at `entry`.
    static func contents(_ entry: UnsafeRawPointer) -> (tenant: UInt32, bytes: UnsafeRawBufferPointer) {
        (entry.loadUnaligned(as: UInt32.self),
         UnsafeRawBufferPointer(start: entry + headerSize, count: Int(entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self))))
    }

    /// Whether the entry at `entry` is these bytes of tenant number `tenant`.
    @inline(__always)
    static func holds(_ entry: UnsafeRawPointer, tenant: UInt32, bytes: UnsafeRawBufferPointer) -> Bool {
        entry.loadUnaligned(as: UInt32.self) == tenant
            && Int(entry.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == bytes.count
            && (bytes.isEmpty || memcmp(entry + headerSize, bytes.baseAddress!, bytes.count) == 0)
    }
}
