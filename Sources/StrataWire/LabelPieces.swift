/// How a `LabelArena` cuts a series' label bytes into pieces it stores once each: every label message as the sender
/// framed it (key byte 0x0a, a varint length, the message) is a piece, and bytes that are not such a frame make one
/// last piece with everything left. Thousands of series share most of their label messages (the metric name, the
/// job, an instance's hundred series), so an entry of four-byte piece numbers replaces about a hundred bytes.
///
/// The cut depends only on the bytes, so two byte strings are equal exactly when they cut into the same number of
/// pieces with equal bytes, piece by piece: comparing pieces is comparing the bytes.
enum LabelPieces {
    /// Where the piece starting at `start` of `bytes` ends.
    @inline(__always)
    static func end(of bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let count = bytes.count
        guard start < count, bytes[start] == 0x0a else { return count }
        var position = start + 1
        var length = 0
        var shift = 0
        while position < count, shift < 35 {
            let byte = bytes[position]
            position += 1
            length |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 {
                guard length <= count - position else { return count }
                return position + length
            }
            shift += 7
        }
        return count
    }

    /// Where each piece of `bytes` ends, in order, or nil when one is longer than `longestPiece`.
    static func ends(_ bytes: UnsafeRawBufferPointer, longestPiece: Int) -> [Int]? {
        var ends: [Int] = []
        var position = 0
        while position < bytes.count {
            let next = end(of: bytes, from: position)
            guard next - position <= longestPiece else { return nil }
            ends.append(next)
            position = next
        }
        return ends
    }

    /// A set of stored pieces by their bytes: open addressing over the pieces' arena locations, each kept with its
    /// hash's low bits, so a lookup compares bytes only on a likely match. Used under the resolver's lock.
    struct Table {
        /// Location + 1 (0: empty) in the high half, the hash's low 32 bits in the low half.
        private var slots = [UInt64](repeating: 0, count: 64)
        private var count = 0

        /// The location of a stored piece equal to `piece`, else the result of `store` (nil: not stored), kept.
        mutating func intern(_ piece: UnsafeRawBufferPointer, hash: UInt64, bytesAt: (UInt32) -> UnsafeRawBufferPointer,
                             store: () -> UInt32?) -> UInt32? {
            let tag = UInt64(UInt32(truncatingIfNeeded: hash))
            let mask = slots.count - 1
            var index = Self.home(tag, mask: mask)
            while slots[index] != 0 {
                let slot = slots[index]
                if slot & 0xffff_ffff == tag {
                    let location = UInt32(truncatingIfNeeded: slot >> 32) &- 1
                    let stored = bytesAt(location)
                    if stored.count == piece.count,
                       piece.isEmpty || memcmp(stored.baseAddress!, piece.baseAddress!, piece.count) == 0 {
                        return location
                    }
                }
                index = (index + 1) & mask
            }
            guard let location = store() else { return nil }
            slots[index] = (UInt64(location) + 1) << 32 | tag
            count += 1
            if count * 2 > slots.count { grow() }
            return location
        }

        private mutating func grow() {
            let old = slots
            slots = [UInt64](repeating: 0, count: old.count * 2)
            let mask = slots.count - 1
            for slot in old where slot != 0 {
                var index = Self.home(slot & 0xffff_ffff, mask: mask)
                while slots[index] != 0 { index = (index + 1) & mask }
                slots[index] = slot
            }
        }

        /// The slot a tag starts probing at (the tag spread over the slots by a multiplication).
        @inline(__always)
        private static func home(_ tag: UInt64, mask: Int) -> Int { Int(truncatingIfNeeded: (tag &* 0x9e37_79b9_7f4a_7c15) >> 32) & mask }
    }
}

#if canImport(Glibc)
import Glibc
#endif
