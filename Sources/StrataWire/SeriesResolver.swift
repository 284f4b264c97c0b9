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
/// Invariant: a slot's arena entry is exactly the label messages its id was computed from, compared in
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

    /// An immutable table readers probe without a lock, with the arena pages and tenant numbers it was built
    /// with (the arena keeps its pages alive while a reader holds the snapshot).
    final class Snapshot: @unchecked Sendable {
        // @unchecked: immutable; the pages hold entries that are never written again once published.
        let table: Table
        let arena: LabelArena
        let pages: [UnsafeMutableRawPointer]
        let tenants: [String]

        init(_ table: Table, arena: LabelArena) {
            self.table = table
            self.arena = arena
            pages = arena.pages
            tenants = arena.tenants
        }
    }

    struct State: ~Copyable {
        /// Every remembered series' label bytes, shared by `snapshot` and `pending`.
        var arena: LabelArena
        var snapshot: Snapshot
        /// Series remembered since `snapshot` was built.
        var pending = Table(size: 16)
        /// When `pending` last became non-empty (nanoseconds, monotonic).
        var pendingSince: UInt64 = 0

        init(seed: UInt64) {
            arena = LabelArena(seed: seed)
            snapshot = Snapshot(Table(size: 16), arena: arena)
        }

        /// Remembers one series in `pending` unless it is there, or in the snapshot with the same ref: its bytes
        /// are copied into the arena only when the snapshot does not hold them either.
        mutating func remember(hash: UInt64, id: StableID, tenant: UInt32, bytes: UnsafeRawBufferPointer, ref: SeriesRef) {
            let tag = Slot.tag(hash)
            let (pendingIndex, inSnapshot) = arena.pages.withUnsafeBufferPointer { pages in
                (pending.probe(tag, tenant: tenant, bytes: bytes, pages: pages),
                 snapshot.table.find(tag, tenant: tenant, bytes: bytes, pages: pages))
            }
            if pending.slots[pendingIndex].tag != 0 {
                if ref != .none { pending.slots[pendingIndex].ref = ref.rawValue }
                return
            }
            let location: UInt32
            if let inSnapshot {
                // Known already: only a new ref is worth a slot (it replaces the snapshot's at the next merge).
                guard ref != .none, ref.rawValue != inSnapshot.ref else { return }
                location = inSnapshot.location
            } else {
                guard let appended = arena.append(tenant: tenant, id: id.rawValue, bytes) else { return }
                location = appended
            }
            if pending.count == 0 { pendingSince = MonotonicClock.now() }
            pending.insertAbsent(Slot(tag: tag, location: location, ref: ref.rawValue))
        }
    }

    private let state: Mutex<State>
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
        state = Mutex(State(seed: seed))
    }

    /// Bytes of label entries the resolver holds, and how many series its snapshot and pending table hold.
    func stored() -> (bytes: Int, series: Int) {
        state.withLock { ($0.arena.storedBytes, $0.snapshot.table.count + $0.pending.count) }
    }

    /// The seeded hash of a series' label bytes in `tenant`.
    func hash(_ bytes: UnsafeRawBufferPointer, tenant: String) -> UInt64 { Self.hash(bytes, tenant: tenant, seed: seed) }

    /// The tenant's starting state for `hash(_:tenantKey:)`: computed once per request.
    func tenantKey(_ tenant: String) -> UInt64 { Self.tenantKey(tenant, seed: seed) }

    /// Resolves every lookup of one request, in order.
    func resolve(tenant: String, _ lookups: [Lookup]) throws(RemoteWriteRequest.DecodeError) -> [Resolution] {
        let (snapshot, hasPending) = state.withLock { ($0.snapshot, $0.pending.count > 0) }
        let table = snapshot.table
        // Each lookup's series id and ref, when known.
        var found = [(id: UInt64, ref: UInt32)?](repeating: nil, count: lookups.count)
        if table.count > 0, let tenantIndex = snapshot.tenants.firstIndex(of: tenant) {
            let tenant = UInt32(tenantIndex)
            // The snapshot owns the arena whose pages are read through raw pointers below: kept alive until the
            // last read, even if the resolver starts over meanwhile and drops it.
            withExtendedLifetime(snapshot) {
                table.slots.withUnsafeBufferPointer { slots in
                    snapshot.pages.withUnsafeBufferPointer { pages in
                        let mask = table.mask
                        let tags = lookups.map { Slot.tag($0.hash) }
                        // 1. Every home slot, loads independent of each other so their cache misses overlap.
                        var candidates = [Slot](repeating: Slot(), count: lookups.count)
                        for index in lookups.indices { candidates[index] = slots[Table.home(tags[index], mask: mask)] }
                        // 2. The first bytes of every candidate's entry whose tag matches, for the same reason.
                        var touched: UInt8 = 0
                        for index in lookups.indices where candidates[index].tag == tags[index] {
                            touched ^= LabelArena.entry(candidates[index].location, in: pages).load(as: UInt8.self)
                        }
                        withExtendedLifetime(touched) {}
                        // 3. The comparisons: entries now mostly from cache, and label messages many series share (their pieces)
                        // usually too; a probe continues past a colliding slot.
                        for index in lookups.indices {
                            let lookup = lookups[index]
                            var slot = candidates[index]
                            if !Table.holds(slot, tags[index], tenant: tenant, bytes: lookup.bytes, pages: pages) {
                                guard slot.tag != 0 else { continue }
                                let start = (Table.home(tags[index], mask: mask) + 1) & mask
                                slot = slots[table.probe(tags[index], tenant: tenant, bytes: lookup.bytes, pages: pages, from: start)]
                                guard slot.tag != 0 else { continue }
                            }
                            found[index] = Table.known(slot, pages: pages)
                        }
                    }
                }
            }
        }
        if hasPending && found.contains(where: { $0 == nil }) {
            state.withLock { state in
                if let tenantIndex = state.arena.tenants.firstIndex(of: tenant) {
                    state.arena.pages.withUnsafeBufferPointer { pages in
                        for index in lookups.indices where found[index] == nil {
                            if let slot = state.pending.find(Slot.tag(lookups[index].hash), tenant: UInt32(tenantIndex),
                                                             bytes: lookups[index].bytes, pages: pages) {
                                found[index] = Table.known(slot, pages: pages)
                            }
                        }
                    }
                }
                mergeIfDue(&state)
            }
        }
        var result: [Resolution] = []
        result.reserveCapacity(lookups.count)
        for index in lookups.indices {
            if let known = found[index] {
                result.append(.known(StableID(rawValue: known.id), SeriesRef(rawValue: known.ref)))
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
                state = State(seed: seed)
            }
            for entry in new {
                guard let tenant = state.arena.number(of: entry.tenant) else { continue }
                entry.bytes.withUnsafeBytes { bytes in
                    state.remember(hash: entry.hash, id: entry.id, tenant: tenant, bytes: bytes, ref: refs[entry.id] ?? .none)
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
        let merged = state.arena.pages.withUnsafeBufferPointer { pages in
            Table.merged(state.snapshot.table, state.pending, pages: pages)
        }
        state.snapshot = Snapshot(merged, arena: state.arena)
        state.pending = Table(size: 16)
    }

    /// Decodes label messages, refusing a name given twice (as Prometheus does) and Strata's own `__tenant__`, which
    /// holds the tenant of the sender's credentials (sent by a client, it made a second series whose labels, once the
    /// tenant was set, equalled the first's). A label with an empty value is left out, as Prometheus stores none:
    /// `up{empty=""}` is the series `up`.
    static func decodeLabels(_ bytes: UnsafeRawBufferPointer) throws(RemoteWriteRequest.DecodeError) -> Labels {
        let labels = try RemoteWriteRequest.decodeLabels(bytes)
        var seen = Set<String>()
        for label in labels where !seen.insert(label.name).inserted {
            throw RemoteWriteRequest.DecodeError(description: "label name \"\(label.name)\" is not unique: invalid sample", duplicateLabel: true)
        }
        if seen.contains(Labels.tenant) {
            throw RemoteWriteRequest.DecodeError(description: "label name \"\(Labels.tenant)\" is reserved: Strata sets it to the tenant "
                                                 + "of the credentials; drop it or rename it (relabelling): invalid sample")
        }
        return Labels(labels.filter { !$0.value.isEmpty })
    }

    /// A fast 64-bit hash of the tenant and the bytes (multiply-xorshift mixing; collisions only cost a slow path,
    /// see the type's invariant).
    static func hash(_ raw: UnsafeRawBufferPointer, tenant: String, seed: UInt64 = 0) -> UInt64 {
        hash(raw, tenantKey: tenantKey(tenant, seed: seed))
    }

    /// The tenant and the seed folded into the hash's starting state, once per request rather than per series.
    static func tenantKey(_ tenant: String, seed: UInt64) -> UInt64 {
        var key = 0x9e37_79b9_7f4a_7c15 ^ seed
        for byte in tenant.utf8 { key = (key ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return key
    }

    /// `hash(_:tenant:seed:)` from the tenant's key: sixteen bytes at a time in two independent lanes, so the
    /// multiplications of one step overlap instead of waiting on each other (hashing was 4 % of ingest CPU).
    static func hash(_ raw: UnsafeRawBufferPointer, tenantKey: UInt64) -> UInt64 {
        var first = tenantKey ^ UInt64(raw.count)
        var second = first ^ 0x6a09_e667_f3bc_c909
        var offset = 0
        while offset + 16 <= raw.count {
            first = (first ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            second = (second ^ raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)) &* 0xc4ce_b9fe_1a85_ec53
            first ^= first >> 32
            second ^= second >> 29
            offset += 16
        }
        if offset + 8 <= raw.count {
            first = (first ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xff51_afd7_ed55_8ccd
            first ^= first >> 32
            offset += 8
        }
        var tail: UInt64 = 0
        while offset < raw.count {
            tail = tail << 8 | UInt64(raw[offset])
            offset += 1
        }
        var hash = (first ^ tail ^ (second &* 0x9e37_79b9_7f4a_7c15)) &* 0xc4ce_b9fe_1a85_ec53
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
