extension BitWriter {
    /// A chunk's second timestamp as its delta from the first: `0` + 14 bits below 8,192 ms, else `1` + 64 bits.
    @inline(__always)
    mutating func writeSecondDelta(_ delta: Int64) {
        if delta >= 0 && delta < (1 << 13) {
            write(bit: false)
            write(bits: UInt64(delta), count: 14)
        } else {
            write(bit: true)
            write(bits: UInt64(bitPattern: delta), count: 64)
        }
    }

    /// A later timestamp as its delta-of-delta in Prometheus's buckets: `0`; `10` + 14 bits; `110` + 17;
    /// `1110` + 20; `1111` + 64 (`ChunkDecoder.nextTimestamp` reads them).
    @inline(__always)
    mutating func writeDeltaOfDelta(_ dod: Int64) {
        if dod == 0 {
            write(bit: false)
        } else if dod >= -(1 << 13) && dod < (1 << 13) {
            write(bits: 0b10, count: 2)
            write(bits: UInt64(bitPattern: dod) & 0x3fff, count: 14)
        } else if dod >= -(1 << 16) && dod < (1 << 16) {
            write(bits: 0b110, count: 3)
            write(bits: UInt64(bitPattern: dod) & 0x1ffff, count: 17)
        } else if dod >= -(1 << 19) && dod < (1 << 19) {
            write(bits: 0b1110, count: 4)
            write(bits: UInt64(bitPattern: dod) & 0xfffff, count: 20)
        } else {
            write(bits: 0b1111, count: 4)
            write(bits: UInt64(bitPattern: dod), count: 64)
        }
    }
}
