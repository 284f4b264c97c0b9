import StrataCore

/// Payloads of the engine's WAL records (`docs/format/wal.md`): type byte 1 = series labels,
/// 2 = samples grouped by series, 3 = samples flat.
enum WALRecord: Equatable {
    case series([(id: StableID, labels: Labels)])
    case samples([SeriesSamples])
    case flat(SampleBatch)

    static func == (lhs: WALRecord, rhs: WALRecord) -> Bool {
        switch (lhs, rhs) {
        case let (.series(a), .series(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.id == $1.id && $0.labels == $1.labels }
        case let (.samples(a), .samples(b)): return a == b
        case let (.flat(a), .flat(b)): return a.seriesIDs == b.seriesIDs && a.timestamps == b.timestamps
            && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
        default: return false
        }
    }

    func encode() -> [UInt8] {
        var writer = BinaryWriter(capacity: 256)
        switch self {
        case .series(let entries):
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
        case .samples(let groups):
            writer.write(byte: 2)
            writer.write(uvarint: UInt64(groups.count))
            for group in groups {
                writer.write(uvarint: group.seriesID.rawValue)
                writer.write(uvarint: UInt64(group.samples.count))
                var previous: Int64 = 0
                for sample in group.samples {
                    writer.write(varint: sample.timestampMs &- previous)
                    previous = sample.timestampMs
                    writer.write(double: sample.value)
                }
            }
        case .flat(let batch):
            return Self.encodeFlat(batch, indices: nil)
        }
        return writer.bytes
    }

    /// The payload of `.flat` holding the samples of `batch` at `indices` (all of them when nil), encoded
    /// straight from the batch's arrays.
    static func encodeFlat(_ batch: SampleBatch, indices: [Int]?) -> [UInt8] {
        let count = indices?.count ?? batch.count
        var writer = BinaryWriter(capacity: 16 + count * 14)
        writer.write(byte: 3)
        writer.write(uvarint: UInt64(count))
        var previous: Int64 = 0
        func add(_ index: Int) {
            writer.write(uvarint: batch.seriesIDs[index].rawValue)
            writer.write(varint: batch.timestamps[index] &- previous)
            previous = batch.timestamps[index]
            writer.write(double: batch.values[index])
        }
        if let indices { for index in indices { add(index) } } else { for index in 0..<batch.count { add(index) } }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DecodeError) -> WALRecord {
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
            return .samples(groups)
        case 3:
            let count = try reader.readCount("samples", minimumElementSize: 10)
            var batch = SampleBatch(capacity: count)
            var timestamp: Int64 = 0
            for _ in 0..<count {
                let id = StableID(rawValue: try reader.readUVarint("series id"))
                timestamp &+= try reader.readVarint("timestamp")
                batch.append(id, timestamp, try reader.readDouble("value"))
            }
            return .flat(batch)
        case let type:
            throw .invalidValue(field: "record type", reason: "unknown WAL record type \(type)")
        }
    }
}
