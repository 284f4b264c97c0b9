import StrataCore

extension SeriesResolver {
    /// One table slot in 12 bytes: the low half of the series' label hash, its entry and the engine's ref. The
    /// tenant, the byte count and the series id are in the entry, which a hit reads anyway to compare the bytes.
    struct Slot {
        /// The hash's low 32 bits (bit 0 always set); 0 marks an empty slot.
        var tag: UInt32 = 0
        /// The series' entry in the resolver's `LabelArena`.
        var location: UInt32 = 0
        var ref: UInt32 = 0

        /// The tag of a label hash.
        @inline(__always)
        static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash) | 1 }
    }

    /// An open-addressing table keyed by the label hash's low 32 bits (already well mixed and seeded per process,
    /// so no second hash per lookup; at most 2^31 slots). Slots only: the label bytes they are compared with are in
    /// the `LabelArena`, shared by every table of the resolver.
    struct Table: Sendable {
        var slots: [Slot]
        var count = 0
        /// Grows past this load, in quarters (2: 0.5 for the pending table, 3 for a snapshot).
        var maxLoadQuarters = 2

        init(size: Int) { slots = [Slot](repeating: Slot(), count: max(16, size)) }

        var mask: Int { slots.count - 1 }

        /// The slot a hash starts probing at. Bit 0 is always set (0 marks an empty slot), so it is shifted
        /// out: keyed on it, every home slot was odd and linear probing ran into long clusters.
        @inline(__always)
        static func home(_ tag: UInt32, mask: Int) -> Int { Int(tag >> 1) & mask }

        /// Whether `slot` holds these bytes of tenant number `tenant`.
        @inline(__always)
        static func holds(_ slot: Slot, _ tag: UInt32, tenant: UInt32, bytes: UnsafeRawBufferPointer,
                          pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Bool {
            slot.tag == tag && LabelArena.holds(LabelArena.entry(slot.location, in: pages), tenant: tenant, bytes: bytes, pages: pages)
        }

        /// The series id (from its entry) and ref of a slot a lookup found.
        @inline(__always)
        static func known(_ slot: Slot, pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> (id: UInt64, ref: UInt32) {
            (LabelArena.id(LabelArena.entry(slot.location, in: pages)), slot.ref)
        }

        /// The index of the slot holding these bytes, or of the empty slot that ends the probe, from `start`.
        func probe(_ tag: UInt32, tenant: UInt32, bytes: UnsafeRawBufferPointer,
                   pages: UnsafeBufferPointer<UnsafeMutableRawPointer>, from start: Int? = nil) -> Int {
            slots.withUnsafeBufferPointer { slots in
                var index = start ?? Self.home(tag, mask: mask)
                while slots[index].tag != 0 && !Self.holds(slots[index], tag, tenant: tenant, bytes: bytes, pages: pages) {
                    index = (index + 1) & mask
                }
                return index
            }
        }

        func find(_ tag: UInt32, tenant: UInt32, bytes: UnsafeRawBufferPointer,
                  pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Slot? {
            guard count > 0 else { return nil }
            let slot = slots[probe(tag, tenant: tenant, bytes: bytes, pages: pages)]
            return slot.tag == 0 ? nil : slot
        }

        /// Adds a slot for a series the table does not hold, growing first when it is due.
        mutating func insertAbsent(_ slot: Slot) {
            if (count + 1) * 4 > slots.count * maxLoadQuarters { grow() }
            place(slot)
        }

        /// Puts a slot in the first empty slot from its home.
        private mutating func place(_ slot: Slot) {
            let mask = self.mask
            var index = Self.home(slot.tag, mask: mask)
            while slots[index].tag != 0 { index = (index + 1) & mask }
            slots[index] = slot
            count += 1
        }

        /// Doubles the slots.
        private mutating func grow() {
            let old = slots
            slots = [Slot](repeating: Slot(), count: old.count * 2)
            count = 0
            for slot in old where slot.tag != 0 { place(slot) }
        }

        /// Every series of both tables in one new table sized for them (load factor at most 0.75: the snapshot
        /// is never inserted into, and the seeded hash spreads well, so probes stay short). A series in both
        /// keeps `extra`'s ref when it has one.
        static func merged(_ base: Table, _ extra: Table, pages: UnsafeBufferPointer<UnsafeMutableRawPointer>) -> Table {
            var size = 16
            while size * 3 < (base.count + extra.count) * 4 { size <<= 1 }
            var result = Table(size: size)
            result.maxLoadQuarters = 3
            for slot in base.slots where slot.tag != 0 { result.place(slot) }
            for slot in extra.slots where slot.tag != 0 {
                let entry = LabelArena.entry(slot.location, in: pages)
                var index = home(slot.tag, mask: result.mask)
                while result.slots[index].tag != 0,
                      !(result.slots[index].tag == slot.tag && LabelArena.sameBytes(LabelArena.entry(result.slots[index].location, in: pages), entry)) {
                    index = (index + 1) & result.mask
                }
                if result.slots[index].tag == 0 {
                    result.slots[index] = slot
                    result.count += 1
                } else if slot.ref != SeriesRef.none.rawValue {
                    result.slots[index].ref = slot.ref
                }
            }
            return result
        }
    }
}
