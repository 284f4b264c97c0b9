#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import StrataCore

/// Maps the raw protobuf bytes of a remote-written series' labels to its series id without decoding them,
/// after the first time. Senders repeat the same label bytes for a series in every request, so the steady
/// state is one hash and one byte comparison per series instead of string decoding, sorting and hashing.
///
/// Invariant: an entry's `bytes` are exactly the label messages it was computed from, compared in full on
/// every hit, so a hash collision can only cost a slow path, never a wrong id.
public final class SeriesResolver: Sendable {
    /// A first-seen series: to `remember` once the engine registered it.
    public struct Entry: Sendable {
        var tenant: String
        var hash: UInt64
        var bytes: [UInt8]
        /// The series id.
        public var id: StableID
    }

    /// What a lookup found.
    enum Resolution {
        /// The series is known (its labels are registered with the engine): its id.
        case known(StableID)
        /// First sight: its id and labels, and the entry to `remember` once the engine has them.
        case new(StableID, Labels, Entry)
    }

    /// One stripe: an open-addressing table keyed by the 64-bit label hash (already well mixed and seeded
    /// per process, so no second hash per lookup), entries in parallel arrays so a hit copies nothing.
    struct Table {
        var hashes: [UInt64]
        var ids: [StableID]
        var bytes: [[UInt8]]
        var tenants: [String]
        var count = 0

        init(size: Int) {
            hashes = [UInt64](repeating: 0, count: size)
            ids = [StableID](repeating: StableID(rawValue: 0), count: size)
            bytes = [[UInt8]](repeating: [], count: size)
            tenants = [String](repeating: "", count: size)
        }

        var mask: Int { hashes.count - 1 }

        /// The slot a hash starts probing at. Bit 0 is always set (0 marks an empty slot), so it is shifted
        /// out: keyed on it, every home slot was odd and linear probing ran into long clusters.
        static func home(_ hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 1) & mask }

        func find(_ hash: UInt64, tenant: String, labelBytes: ArraySlice<UInt8>) -> StableID? {
            var slot = Self.home(hash, mask: mask)
            while hashes[slot] != 0 {
                if hashes[slot] == hash, tenants[slot] == tenant, SeriesResolver.equal(bytes[slot], labelBytes) { return ids[slot] }
                slot = (slot + 1) & mask
            }
            return nil
        }

        mutating func insert(_ entry: Entry, capacity: Int) {
            if count >= capacity || (count + 1) * 2 > hashes.count {
                let size = count >= capacity ? hashes.count : hashes.count * 2
                let old = self
                self = Table(size: size)
                if old.count < capacity {
                    for slot in old.hashes.indices where old.hashes[slot] != 0 {
                        place(old.hashes[slot], old.ids[slot], old.bytes[slot], old.tenants[slot])
                    }
                }
            }
            place(entry.hash, entry.id, entry.bytes, entry.tenant)
        }

        private mutating func place(_ hash: UInt64, _ id: StableID, _ entryBytes: [UInt8], _ tenant: String) {
            var slot = Self.home(hash, mask: mask)
            while hashes[slot] != 0 {
                if hashes[slot] == hash, tenants[slot] == tenant, SeriesResolver.equal(bytes[slot], entryBytes[...]) { return }
                slot = (slot + 1) & mask
            }
            hashes[slot] = hash
            ids[slot] = id
            bytes[slot] = entryBytes
            tenants[slot] = tenant
            count += 1
        }
    }

    /// Striped by hash so concurrent requests rarely wait for each other.
    private final class Stripe: Sendable {
        let table = Mutex(Table(size: 1024))
    }

    private let stripes: [Stripe]
    private let capacityPerStripe: Int
    private let seed: UInt64
    static let stripeCount = 16

    /// Creates a resolver remembering up to `capacity` series.
    public init(capacity: Int = 2_000_000) {
        stripes = (0..<Self.stripeCount).map { _ in Stripe() }
        capacityPerStripe = max(1, capacity / Self.stripeCount)
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
    }

    private func stripe(_ hash: UInt64) -> Stripe { stripes[Int(hash >> 60)] }

    /// Resolves the concatenated label messages `labelBytes` of a series in `tenant`.
    func resolve(tenant: String, labelBytes: ArraySlice<UInt8>) throws(RemoteWriteRequest.DecodeError) -> Resolution {
        let hash = Self.hash(labelBytes, tenant: tenant, seed: seed)
        let hit = stripe(hash).table.withLock { $0.find(hash, tenant: tenant, labelBytes: labelBytes) }
        if let hit { return .known(hit) }
        let labels = try Self.decodeLabels(labelBytes)
        let id = RemoteWriteRequest.seriesID(tenant: tenant, labels: labels)
        return .new(id, labels, Entry(tenant: tenant, hash: hash, bytes: Array(labelBytes), id: id))
    }

    /// Remembers entries whose series the engine has now registered (their append succeeded), so a series
    /// first seen in a rejected request is resolved the slow way again and its labels are not lost.
    public func remember(_ new: [Entry]) {
        for entry in new {
            stripe(entry.hash).table.withLock { $0.insert(entry, capacity: capacityPerStripe) }
        }
    }

    /// Decodes label messages, refusing a name given twice (as Prometheus does).
    static func decodeLabels(_ bytes: ArraySlice<UInt8>) throws(RemoteWriteRequest.DecodeError) -> Labels {
        let labels = try RemoteWriteRequest.decodeLabels(bytes)
        var seen = Set<String>()
        for label in labels where !seen.insert(label.name).inserted {
            throw RemoteWriteRequest.DecodeError(description: "label name \"\(label.name)\" is not unique: invalid sample", duplicateLabel: true)
        }
        return Labels(labels)
    }

    /// Byte-wise equality with memcmp.
    static func equal(_ stored: [UInt8], _ candidate: ArraySlice<UInt8>) -> Bool {
        guard stored.count == candidate.count else { return false }
        return stored.withUnsafeBytes { a in candidate.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0 } }
    }

    /// A fast 64-bit hash of the tenant and the bytes, eight bytes at a time (multiply-xorshift mixing;
    /// collisions only cost a slow path, see the type's invariant).
    static func hash(_ bytes: ArraySlice<UInt8>, tenant: String, seed: UInt64 = 0) -> UInt64 {
        var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(bytes.count) ^ seed
        for byte in tenant.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                hash = (hash ^ word) &* 0xff51_afd7_ed55_8ccd
                hash ^= hash >> 32
                offset += 8
            }
            var tail: UInt64 = 0
            while offset < raw.count {
                tail = tail << 8 | UInt64(raw[offset])
                offset += 1
            }
            hash = (hash ^ tail) &* 0xc4ce_b9fe_1a85_ec53
        }
        hash ^= hash >> 33
        return hash | 1 // never 0, the table's empty mark
    }
}
