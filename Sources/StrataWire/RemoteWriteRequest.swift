import StrataCore
import StrataTSDB

/// Decoding of Prometheus remote-write 1.0 `WriteRequest` bodies (after snappy) straight into a flat
/// `SampleBatch`. Exemplars, histograms and metadata are skipped.
public enum RemoteWriteRequest {
    /// Why a body did not decode; messages follow Prometheus 2.42 (gogo-protobuf) where it has one.
    public struct DecodeError: Error, Equatable, CustomStringConvertible {
        public var description: String
        /// A label name appeared twice in one series (Prometheus answers that as an invalid sample).
        public var duplicateLabel = false
    }

    /// Decodes a `WriteRequest` straight into a flat batch: label bytes go through `resolver` (no string
    /// decoding for known series); labels of first-seen series are put in `batch.labels`.
    public static func decode(_ bytes: [UInt8], tenant: String, resolver: SeriesResolver,
                       into batch: inout SampleBatch, newSeries: inout [SeriesResolver.Entry]) throws(DecodeError) {
        var reader = ProtoReader(bytes: bytes[...])
        var labelBytes: [UInt8] = []
        while let (field, wire) = try reader.nextKey() {
            guard field == 1 && wire == 2 else {
                try reader.skip(wire)
                continue
            }
            let seriesBytes = try reader.lengthDelimited()
            var series = ProtoReader(bytes: seriesBytes)
            // The label fields as the sender framed them (key, length, message) are an unambiguous
            // concatenation: when contiguous (every real sender writes them together) they are used in
            // place, else gathered into `labelBytes`.
            var labelRange: Range<Int>?
            var gathered = false
            labelBytes.removeAll(keepingCapacity: true)
            let firstSample = batch.count
            while true {
                let fieldStart = series.bytes.startIndex
                guard let (seriesField, seriesWire) = try series.nextKey() else { break }
                switch (seriesField, seriesWire) {
                case (1, 2):
                    let label = try series.lengthDelimited()
                    if gathered {
                        labelBytes.append(contentsOf: seriesBytes[fieldStart..<label.endIndex])
                    } else if let range = labelRange, range.upperBound != fieldStart {
                        labelBytes.append(contentsOf: seriesBytes[range])
                        labelBytes.append(contentsOf: seriesBytes[fieldStart..<label.endIndex])
                        gathered = true
                    } else {
                        labelRange = (labelRange?.lowerBound ?? fieldStart)..<label.endIndex
                    }
                case (2, 2):
                    let sample = try decodeSample(try series.lengthDelimited())
                    batch.append(StableID(rawValue: 0), sample.timestampMs, sample.value)
                default:
                    try series.skip(seriesWire)
                }
            }
            guard batch.count > firstSample else { continue }
            let id: StableID
            let labelSlice = gathered ? labelBytes[...] : seriesBytes[labelRange ?? seriesBytes.startIndex..<seriesBytes.startIndex]
            switch try resolver.resolve(tenant: tenant, labelBytes: labelSlice) {
            case .known(let known): id = known
            case let .new(new, labels, entry):
                id = new
                batch.labels[new] = labels.setting(Labels.tenant, tenant)
                newSeries.append(entry)
            }
            batch.assignSeries(id, from: firstSample)
        }
    }

    /// The id of a remote-written series: its tenant and its sorted labels (`__name__` included).
    public static func seriesID(tenant: String, labels: Labels) -> StableID {
        var parts = ["prometheus", tenant]
        for label in labels.pairs {
            parts.append(label.name)
            parts.append(label.value)
        }
        return StableID(parts: parts)
    }

    static func decodeLabel(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> Label {
        var reader = ProtoReader(bytes: bytes)
        var name = ""
        var value = ""
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2): name = try reader.string()
            case (2, 2): value = try reader.string()
            default: try reader.skip(wire)
            }
        }
        return Label(name, value)
    }

    static func decodeSample(_ bytes: ArraySlice<UInt8>) throws(DecodeError) -> Sample {
        var reader = ProtoReader(bytes: bytes)
        var value = 0.0
        var timestamp: Int64 = 0
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 1): value = Double(bitPattern: try reader.fixed64())
            case (2, 0): timestamp = Int64(bitPattern: try reader.varint())
            default: try reader.skip(wire)
            }
        }
        return Sample(timestamp, value)
    }
}

/// Protobuf wire-format primitives over a byte slice; never traps on bad input.
struct ProtoReader {
    var bytes: ArraySlice<UInt8>

    typealias Failure = RemoteWriteRequest.DecodeError

    /// The next field number and wire type, or nil at the end.
    mutating func nextKey() throws(Failure) -> (Int, Int)? {
        guard !bytes.isEmpty else { return nil }
        let key = try varint()
        let wire = Int(key & 7)
        let field = key >> 3
        guard wire != 6 && wire != 7 else { throw Failure(description: "proto: illegal wireType \(wire)") }
        guard field > 0, field <= UInt64(Int32.max) else { throw Failure(description: "proto: illegal tag \(field) (wire type \(wire))") }
        return (Int(field), wire)
    }

    mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while let byte = bytes.first {
            bytes.removeFirst()
            guard shift < 64 else { throw Failure(description: "proto: integer overflow") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw Failure(description: "unexpected EOF")
    }

    mutating func fixed64() throws(Failure) -> UInt64 {
        guard bytes.count >= 8 else { throw Failure(description: "unexpected EOF") }
        var value: UInt64 = 0
        for (index, byte) in bytes.prefix(8).enumerated() { value |= UInt64(byte) << UInt64(8 * index) }
        bytes.removeFirst(8)
        return value
    }

    mutating func lengthDelimited() throws(Failure) -> ArraySlice<UInt8> {
        let length = try varint()
        guard length <= UInt64(Int32.max) else { throw Failure(description: "proto: negative length found during unmarshaling") }
        guard Int(length) <= bytes.count else { throw Failure(description: "unexpected EOF") }
        let slice = bytes.prefix(Int(length))
        bytes.removeFirst(Int(length))
        return slice
    }

    mutating func string() throws(Failure) -> String {
        let slice = try lengthDelimited()
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw Failure(description: "proto: invalid UTF-8 string")
        }
        return text
    }

    mutating func skip(_ wire: Int) throws(Failure) {
        switch wire {
        case 0: _ = try varint()
        case 1: guard bytes.count >= 8 else { throw Failure(description: "unexpected EOF") }; bytes.removeFirst(8)
        case 2: _ = try lengthDelimited()
        case 5: guard bytes.count >= 4 else { throw Failure(description: "unexpected EOF") }; bytes.removeFirst(4)
        default: throw Failure(description: "proto: illegal wireType \(wire)")
        }
    }
}
