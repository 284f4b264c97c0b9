import StrataCore

/// Payloads of the engine's WAL records (`docs/format/wal.md`): type byte 1 = series labels,
/// 2 = samples grouped by series and 3 = samples flat (both read on replay, no longer written), 4 = samples by
/// series reference (`RefSampleRecord`).
enum WALRecord {
    case series([(id: StableID, labels: Labels)])
    case samples(SampleBatch)

    /// The payload of a series-labels record.
    static func encodeSeries(_ entries: [(id: StableID, labels: Labels)]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        writer.write(byte: 1)
        writer.write(uvarint: UInt64(entries.count))
        for entry in entries {
            writer.write(uvarint: entry.id.rawValue)
            writer.write(uvarint: UInt64(entry.labels.pairs.count))
            for label in entry.labels.pairs {
                writer.write(string: label.name)
                writer.write(string: label.value)
            }
        }
        return writer.bytes
    }

    /// Decodes a payload; `refs` carries the series references the log has defined so far (replay reads the
    /// records in log order with one table).
    static func decode(_ bytes: [UInt8], refs: inout RefSampleRecord.Table) throws(DecodeError) -> WALRecord {
        var reader = BinaryReader(bytes)
        switch try reader.readByte("record type") {
        case 1:
            var entries: [(id: StableID, labels: Labels)] = []
            for _ in 0..<(try reader.readCount("series", minimumElementSize: 2)) {
                let id = StableID(rawValue: try reader.readUVarint("series id"))
                var labels: [Label] = []
                for _ in 0..<(try reader.readCount("labels", minimumElementSize: 2)) {
                    labels.append(Label(try reader.readString("label name"), try reader.readString("label value")))
                }
                entries.append((id, Labels(labels)))
            }
            return .series(entries)
        case 2:
            var groups: [SeriesSamples] = []
            for _ in 0..<(try reader.readCount("groups", minimumElementSize: 2)) {
                let id = StableID(rawValue: try reader.readUVarint("series id"))
                var samples: [Sample] = []
                var timestamp: Int64 = 0
                for _ in 0..<(try reader.readCount("samples", minimumElementSize: 9)) {
                    timestamp &+= try reader.readVarint("timestamp")
                    samples.append(Sample(timestamp, try reader.readDouble("value")))
                }
                groups.append(SeriesSamples(seriesID: id, samples: samples))
            }
            return .samples(SampleBatch(groups))
        case 3:
            let count = try reader.readCount("samples", minimumElementSize: 10)
            var batch = SampleBatch(capacity: count)
            var timestamp: Int64 = 0
            for _ in 0..<count {
                let id = StableID(rawValue: try reader.readUVarint("series id"))
                timestamp &+= try reader.readVarint("timestamp")
                batch.append(id, timestamp, try reader.readDouble("value"))
            }
            return .samples(batch)
        case 4:
            return .samples(try RefSampleRecord.decode(&reader, refs: &refs))
        case let type:
            throw .invalidValue(field: "record type", reason: "unknown WAL record type \(type)")
        }
    }
}

/// A samples record that names each series by its head reference (`SeriesRef`, one to three bytes) instead of
/// its 64-bit id (nine or ten): about 12 bytes a sample instead of 19. A reference means a series only after
/// the log has defined it: the first sample of a series in each persist epoch carries its id beside the
/// reference (`MemSeries.walEpoch`), so the WAL segments kept after a cut define every reference they use, and
/// a restarted process, whose references differ, defines its own before using them. Replay reads the records
/// in order with one `Table`.
///
/// Payload: type byte 4, then samples to the end: uvarint key = reference << 1 | defines; when `defines` is set
/// or the reference is 0 (a series not in the head yet), the uvarint id follows; then the zig-zag varint
/// timestamp delta from the previous sample of the record (from 0) and 8 bytes of little-endian Float64.
struct RefSampleRecord {
    /// Series ids by reference, as the log has defined them so far.
    struct Table {
        var ids: [UInt32: StableID] = [:]
    }

    private var writer: BinaryWriter
    private var previous: Int64 = 0
    /// Samples added.
    private(set) var count = 0

    /// An empty record with room for about `capacity` samples.
    init(capacity: Int) {
        writer = BinaryWriter(capacity: 1 + capacity * 13)
        writer.write(byte: 4)
    }

    /// Adds a sample of `id`, which is `handle` when the head holds it; defines the series' reference in this
    /// record unless the log already did in `epoch`.
    mutating func add(_ id: StableID, _ handle: SeriesHandle?, _ timestamp: Int64, _ value: Double, epoch: UInt32) {
        if let handle, handle.series.ref != .none {
            let key = UInt64(handle.series.ref.rawValue) << 1
            if handle.series.walEpoch == epoch {
                writer.write(uvarint: key)
            } else {
                writer.write(uvarint: key | 1)
                writer.write(uvarint: id.rawValue)
                handle.series.walEpoch = epoch
            }
        } else {
            writer.write(uvarint: 0)
            writer.write(uvarint: id.rawValue)
        }
        writer.write(varint: timestamp &- previous)
        previous = timestamp
        writer.write(double: value)
        count += 1
    }

    /// The payload.
    var bytes: [UInt8] { writer.bytes }

    /// Reads the samples after the type byte, resolving references through `refs` and adding the definitions.
    static func decode(_ reader: inout BinaryReader, refs: inout Table) throws(DecodeError) -> SampleBatch {
        var batch = SampleBatch(capacity: reader.remaining / 11)
        var timestamp: Int64 = 0
        while reader.remaining > 0 {
            let key = try reader.readUVarint("series reference")
            guard key >> 1 <= UInt64(UInt32.max) else { throw .invalidValue(field: "series reference", reason: "\(key >> 1) is out of range") }
            let ref = UInt32(key >> 1)
            let id: StableID
            if key & 1 == 1 || ref == 0 {
                id = StableID(rawValue: try reader.readUVarint("series id"))
                if key & 1 == 1 { refs.ids[ref] = id }
            } else if let known = refs.ids[ref] {
                id = known
            } else {
                throw .invalidValue(field: "series reference", reason: "\(ref) is not defined by the log before it")
            }
            timestamp &+= try reader.readVarint("timestamp")
            batch.append(id, timestamp, try reader.readDouble("value"))
        }
        return batch
    }
}
