#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import StrataCore

/// Maps the raw protobuf bytes of a remote-written series' labels to its series id (and the engine's
/// `SeriesRef` for it) without decoding them, after the first time. Senders repeat the same label bytes for
/// a series in every request, so the steady state is one hash, one slot and one byte comparison per series
/// instead of string decoding, sorting and hashing.
///
/// Readers take an immutable `Snapshot` (one lock per request) and probe it without locking, all series
/// of a request at once: first every home slot, then every candidate's bytes, then the comparisons, so the
/// memory loads of different series overlap instead of waiting one after another (profiling showed one
/// cache miss per slot and one per label bytes dominating the lookup). Series remembered since the
/// snapshot was built wait in a small locked `pending` table until they are merged into a new snapshot.
///
/// Invariant: a slot's arena bytes are exactly the label messages its id was computed from, compared in
/// full on every hit, so a hash collision can only cost a slow path, never a wrong id.
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
        /// The series is known (its labels are registered with the engine): its id and head ref.
        case known(StableID, SeriesRef)
        /// First sight: its id and labels, and the entry to `remember` once the engine has them.
        case new(StableID, Labels, Entry)
    }

    /// One series of a request to resolve: its label bytes' hash and where they are.
    struct Lookup {
        var hash: UInt64
        var bytes: UnsafeRawBufferPointer
    }

    /// One table slot: everything a hit needs in 32 bytes.
    struct Slot {
        /// 0 marks an empty slot.
        var hash: UInt64 = 0
        var id: UInt64 = 0
        /// The label bytes: `arena[offset..<offset + length]`.
        var offset: UInt32 = 0
        var length: UInt32 = 0
        /// Index into the table's tenant names.
        var tenant: UInt32 = 0
        var ref: UInt32 = 0
    }

    /// An open-addressing table keyed by the 64-bit label hash (already well mixed and seeded per process,
    /// so no second hash per lookup), label bytes appended to one arena.
    struct Table: Sendable {
        var slots: [Slot]
        var arena: [UInt8] = []
        var tenants: [String] = []
        var count = 0
        /// Grows past this load, in quarters (2: 0.5 for the pending table, 3 for a snapshot).
        var maxLoadQuarters = 2

        init(size: Int) { slots = [Slot](repeating: Slot(), count: max(16, size)) }

        var mask: Int { slots.count - 1 }

        /// The slot a hash starts probing at. Bit 0 is always set (0 marks an empty slot), so it is shifted
        /// out: keyed on it, every home slot was odd and linear probing ran into long clusters.
        @inline(__always)
        static func home(_ hash: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: hash >> 1) & mask }

        /// Whether `slot` holds these bytes of `tenant`.
        @inline(__always)
        func holds(_ slot: Slot, _ hash: UInt64, tenant: String, bytes: UnsafeRawBufferPointer, arena: UnsafeRawBufferPointer) -> Bool {
            slot.hash == hash && Int(slot.length) == bytes.count && tenants[Int(slot.tenant)] == tenant
                && (bytes.isEmpty || memcmp(arena.baseAddress! + Int(slot.offset), bytes.baseAddress!, bytes.count) == 0)
        }

        /// The index of the slot holding these bytes, or of the empty slot that ends the probe, from `start`.
        func probe(_ hash: UInt64, tenant: String, bytes: UnsafeRawBufferPointer, from start: Int? = nil) -> Int {
            slots.withUnsafeBufferPointer { slots in
                arena.withUnsafeBytes { arena in
                    var index = start ?? Self.home(hash, mask: mask)
                    while slots[index].hash != 0 && !holds(slots[index], hash, tenant: tenant, bytes: bytes, arena: arena) {
                        index = (index + 1) & mask
                    }
                    return index
                }
            }
        }

        func find(_ hash: UInt64, tenant: String, bytes: UnsafeRawBufferPointer) -> Slot? {
            let slot = slots[probe(hash, tenant: tenant, bytes: bytes)]
            return slot.hash == 0 ? nil : slot
        }

        /// Adds a series (or updates its ref when it is there); false when its bytes do not fit the arena.
        @discardableResult
        mutating func insert(hash: UInt64, id: StableID, tenant: String, bytes: UnsafeRawBufferPointer, ref: SeriesRef) -> Bool {
            if (count + 1) * 4 > slots.count * maxLoadQuarters { grow() }
            let index = probe(hash, tenant: tenant, bytes: bytes)
            if slots[index].hash != 0 {
                if ref != .none { slots[index].ref = ref.rawValue }
                return true
            }
            guard arena.count + bytes.count <= Int(UInt32.max) else { return false }
            let tenantIndex = tenants.firstIndex(of: tenant) ?? {
                tenants.append(tenant)
                return tenants.count - 1
            }()
            slots[index] = Slot(hash: hash, id: id.rawValue, offset: UInt32(arena.count), length: UInt32(bytes.count),
                                tenant: UInt32(tenantIndex), ref: ref.rawValue)
            arena.append(contentsOf: bytes)
            count += 1
            return true
        }

        /// Doubles the slots; the arena and tenants stay as they are.
        private mutating func grow() {
            let old = slots
            slots = [Slot](repeating: Slot(), count: old.count * 2)
            let mask = self.mask
            for slot in old where slot.hash != 0 {
                var index = Self.home(slot.hash, mask: mask)
                while slots[index].hash != 0 { index = (index + 1) & mask }
                slots[index] = slot
            }
        }

        /// Every series of both tables in one new table sized for them (load factor at most 0.75: the
        /// snapshot is never inserted into, and the seeded hash spreads well, so probes stay short).
        static func merged(_ base: Table, _ extra: Table) -> Table {
            var size = 16
            while size * 3 < (base.count + extra.count) * 4 { size <<= 1 }
            var result = Table(size: size)
            result.maxLoadQuarters = 3
            result.arena.reserveCapacity(base.arena.count + extra.arena.count)
            for table in [base, extra] {
                table.arena.withUnsafeBytes { arena in
                    for slot in table.slots where slot.hash != 0 {
                        let bytes = UnsafeRawBufferPointer(rebasing: arena[Int(slot.offset)..<Int(slot.offset) + Int(slot.length)])
                        result.insert(hash: slot.hash, id: StableID(rawValue: slot.id), tenant: table.tenants[Int(slot.tenant)],
                                      bytes: bytes, ref: SeriesRef(rawValue: slot.ref))
                    }
                }
            }
            return result
        }
    }

    /// An immutable table readers probe without a lock.
    final class Snapshot: Sendable {
        let table: Table
        init(_ table: Table) { self.table = table }
    }

    struct State: ~Copyable {
        var snapshot = Snapshot(Table(size: 16))
        /// Series remembered since `snapshot` was built.
        var pending = Table(size: 16)
        /// When `pending` last became non-empty (nanoseconds, monotonic).
        var pendingSince: UInt64 = 0
    }

    private let state = Mutex(State())
    private let capacity: Int
    private let seed: UInt64
    /// Pending series are merged into a new snapshot once they are this share of it, or this old.
    static let mergeFraction = 8
    static let mergeAgeNanoseconds: UInt64 = 1_000_000_000

    /// Creates a resolver remembering up to `capacity` series.
    public init(capacity: Int = 2_000_000) {
        self.capacity = max(1, capacity)
        var generator = SystemRandomNumberGenerator()
        seed = generator.next()
    }

    /// The seeded hash of a series' label bytes in `tenant`.
    func hash(_ bytes: UnsafeRawBufferPointer, tenant: String) -> UInt64 { Self.hash(bytes, tenant: tenant, seed: seed) }

    /// Resolves every lookup of one request, in order.
    func resolve(tenant: String, _ lookups: [Lookup]) throws(RemoteWriteRequest.DecodeError) -> [Resolution] {
        let (snapshot, hasPending) = state.withLock { ($0.snapshot, $0.pending.count > 0) }
        let table = snapshot.table
        var found = [Slot?](repeating: nil, count: lookups.count)
        table.slots.withUnsafeBufferPointer { slots in
            table.arena.withUnsafeBytes { arena in
                let mask = table.mask
                // 1. Every home slot, loads independent of each other so their cache misses overlap.
                var candidates = [Slot](repeating: Slot(), count: lookups.count)
                for index in lookups.indices { candidates[index] = slots[Table.home(lookups[index].hash, mask: mask)] }
                // 2. The first bytes of every candidate whose hash matches, for the same reason.
                var touched: UInt8 = 0
                for index in lookups.indices where candidates[index].hash == lookups[index].hash && candidates[index].length > 0 {
                    touched ^= arena[Int(candidates[index].offset)]
                }
                withExtendedLifetime(touched) {}
                // 3. The comparisons, now mostly from cache; a probe continues past a colliding slot.
                for index in lookups.indices {
                    let lookup = lookups[index]
                    if table.holds(candidates[index], lookup.hash, tenant: tenant, bytes: lookup.bytes, arena: arena) {
                        found[index] = candidates[index]
                    } else if candidates[index].hash != 0 {
                        let start = (Table.home(lookup.hash, mask: mask) + 1) & mask
                        let slot = slots[table.probe(lookup.hash, tenant: tenant, bytes: lookup.bytes, from: start)]
                        if slot.hash != 0 { found[index] = slot }
                    }
                }
            }
        }
        if hasPending && found.contains(where: { $0 == nil }) {
            state.withLock { state in
                for index in lookups.indices where found[index] == nil {
                    found[index] = state.pending.find(lookups[index].hash, tenant: tenant, bytes: lookups[index].bytes)
                }
                mergeIfDue(&state)
            }
        }
        var result: [Resolution] = []
        result.reserveCapacity(lookups.count)
        for index in lookups.indices {
            if let slot = found[index] {
                result.append(.known(StableID(rawValue: slot.id), SeriesRef(rawValue: slot.ref)))
                continue
            }
            let lookup = lookups[index]
            let labels = try Self.decodeLabels(lookup.bytes)
            let id = RemoteWriteRequest.seriesID(tenant: tenant, labels: labels)
            result.append(.new(id, labels, Entry(tenant: tenant, hash: lookup.hash, bytes: Array(lookup.bytes), id: id)))
        }
        return result
    }

    /// Remembers entries whose series the engine has now registered (their append succeeded), so a series
    /// first seen in a rejected request is resolved the slow way again and its labels are not lost; `refs`
    /// are the engine's refs for them (a series without one is remembered without a hint). Past `capacity`
    /// series the resolver starts over empty, so memory stays bounded under series churn.
    public func remember(_ new: [Entry], refs: [StableID: SeriesRef] = [:]) {
        guard !new.isEmpty else { return }
        state.withLock { state in
            if state.snapshot.table.count + state.pending.count + new.count > capacity {
                state = State()
            }
            if state.pending.count == 0 { state.pendingSince = MonotonicClock.now() }
            for entry in new where entry.bytes.count < Int(UInt32.max) {
                entry.bytes.withUnsafeBytes { bytes in
                    _ = state.pending.insert(hash: entry.hash, id: entry.id, tenant: entry.tenant, bytes: bytes, ref: refs[entry.id] ?? .none)
                }
            }
            mergeIfDue(&state)
        }
    }

    /// Builds a new snapshot holding the pending series once they are many or old enough.
    private func mergeIfDue(_ state: inout State) {
        guard state.pending.count > 0 else { return }
        let many = state.pending.count * Self.mergeFraction >= state.snapshot.table.count
        let old = MonotonicClock.now() &- state.pendingSince >= Self.mergeAgeNanoseconds
        guard many || old else { return }
        state.snapshot = Snapshot(Table.merged(state.snapshot.table, state.pending))
        state.pending = Table(size: 16)
    }

    /// Decodes label messages, refusing a name given twice (as Prometheus does). A label with an empty value is
    /// left out, as Prometheus stores none: `up{empty=""}` is the series `up`.
    static func decodeLabels(_ bytes: UnsafeRawBufferPointer) throws(RemoteWriteRequest.DecodeError) -> Labels {
        let labels = try RemoteWriteRequest.decodeLabels(bytes)
        var seen = Set<String>()
        for label in labels where !seen.insert(label.name).inserted {
            throw RemoteWriteRequest.DecodeError(description: "label name \"\(label.name)\" is not unique: invalid sample", duplicateLabel: true)
        }
        return Labels(labels.filter { !$0.value.isEmpty })
    }

    /// A fast 64-bit hash of the tenant and the bytes, eight bytes at a time (multiply-xorshift mixing;
    /// collisions only cost a slow path, see the type's invariant).
    static func hash(_ raw: UnsafeRawBufferPointer, tenant: String, seed: UInt64 = 0) -> UInt64 {
        var hash: UInt64 = 0x9e37_79b9_7f4a_7c15 ^ UInt64(raw.count) ^ seed
        for byte in tenant.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
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
        hash ^= hash >> 33
        return hash | 1 // never 0, the table's empty mark
    }
}

/// The monotonic clock in nanoseconds (Glibc, no Foundation).
enum MonotonicClock {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) &* 1_000_000_000 &+ UInt64(time.tv_nsec)
    }
}
