import StrataCore

extension ChunkDecoder {
    /// The samples of a `packed` chunk's body within `from...to` (layout in `docs/format/chunks.md`): the values'
    /// fixed-width deltas are read by a second reader positioned where they start, and irregular timestamps by
    /// the first reader, after them. Corrupt input never traps (every read starts at most a field past the
    /// stream's end, inside the reader's zero padding) and a truncated chunk throws; other damage may decode
    /// to wrong samples, as with the other encodings.
    static func decodePacked(_ reader: inout BitReader, exponent: Int, count: Int, from: Int64, to: Int64,
                             into samples: inout [Sample]) throws(ChunkError) {
        let divisor = Decimal.powers[exponent]
        var timestamp = Int64(bitPattern: reader.read(64))
        if reader.isPastEnd { throw .truncated }
        var mantissa = Int64(bitPattern: reader.read(64))
        if reader.isPastEnd { throw .truncated }
        if timestamp > to { return }
        if timestamp >= from { samples.append(Sample(timestamp, Double(mantissa) / divisor)) }
        guard count > 1 else { return }
        let regular = reader.read(1) == 1
        let interval = regular ? Int64(bitPattern: reader.read(64)) : 0
        if reader.isPastEnd { throw .truncated }
        guard !regular || interval > 0 else { throw .corrupt("packed interval \(interval)") }
        let smallest = Int64(bitPattern: reader.read(64))
        if reader.isPastEnd { throw .truncated }
        let width = Int(reader.read(PackedChunk.widthBits))
        guard width <= 64 else { throw .corrupt("packed width \(width)") }
        var values = reader
        // The irregular timestamps follow the deltas; they must start within the stream.
        reader.skip(width * (count - 1))
        if reader.isPastEnd { throw .truncated }
        var delta: Int64 = 0
        for index in 1..<count {
            if regular {
                timestamp &+= interval
            } else if index == 1 {
                delta = secondDelta(&reader)
                timestamp &+= delta
            } else {
                nextTimestamp(&reader, &delta, &timestamp)
            }
            // A zero width holds no bits: equal deltas throughout (a read of 0 bits would return a whole window).
            mantissa &+= smallest &+ (width == 0 ? 0 : Int64(bitPattern: values.read(width)))
            if reader.isPastEnd { throw .truncated }
            if timestamp > to { return }
            if timestamp >= from { samples.append(Sample(timestamp, Double(mantissa) / divisor)) }
        }
    }
}
