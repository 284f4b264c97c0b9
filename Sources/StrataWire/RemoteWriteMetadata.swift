import StrataCore

/// Decoding of `WriteRequest.metadata` (field 3), which Prometheus 2.42 sends in requests of its own, about
/// once a minute.
extension MetricMetadata {
    /// `MetricMetadata.MetricType` of prometheus/prompb/types.proto: 1 counter, 3 histogram, 5 summary.
    static func type(wire: UInt64) -> MetricType {
        switch wire {
        case 1: .counter
        case 3: .histogram
        case 5: .summary
        default: .gauge
        }
    }

    /// Decodes one `MetricMetadata` message; nil when it names no family.
    static func decode(_ reader: inout RawProtoReader) throws(RemoteWriteRequest.DecodeError) -> MetricMetadata? {
        var metadata = MetricMetadata(family: "", type: .gauge)
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 0): metadata.type = type(wire: try reader.varint())
            case (2, 2): metadata.family = try reader.string()
            case (4, 2): metadata.help = String(try reader.string().prefix(1_024))
            case (5, 2): metadata.unit = String(try reader.string().prefix(64))
            default: try reader.skip(wire)
            }
        }
        guard !metadata.family.isEmpty, metadata.family.utf8.count <= Labels.maxBytes else { return nil }
        return metadata
    }
}
