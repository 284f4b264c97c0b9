import StrataCore

/// Decoding of Prometheus remote-write 1.0 `WriteRequest` bodies (after snappy) straight into a flat
/// `SampleBatch`, and the metric families' metadata. Exemplars and native histograms are skipped.
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
        var metadata: [MetricMetadata] = []
        try decode(bytes, tenant: tenant, resolver: resolver, into: &batch, newSeries: &newSeries, metadata: &metadata)
    }

    /// As `decode(_:tenant:resolver:into:newSeries:)`, with the request's metric metadata appended to `metadata`.
    public static func decode(_ bytes: [UInt8], tenant: String, resolver: SeriesResolver, into batch: inout SampleBatch,
                              newSeries: inout [SeriesResolver.Entry], metadata: inout [MetricMetadata]) throws(DecodeError) {
        // The hot loop reads through a raw pointer with an integer cursor (no slice bookkeeping per byte);
        // label bytes reach the resolver as slices of `bytes`.
        let result: Result<Void, DecodeError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(DecodeError) {
                try decode(buffer, bytes, tenant: tenant, resolver: resolver, into: &batch, newSeries: &newSeries, metadata: &metadata)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// One series of the request, resolved after the whole body is parsed: where its label bytes are
    /// (in the body, or in the gathered buffer) and which samples are its.
    private struct ParsedSeries {
        var labels: Range<Int>
        var gathered: Bool
        var samples: Range<Int>
    }

    private static func decode(_ buffer: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], tenant: String, resolver: SeriesResolver,
                               into batch: inout SampleBatch, newSeries: inout [SeriesResolver.Entry],
                               metadata: inout [MetricMetadata]) throws(DecodeError) {
        var reader = RawProtoReader(buffer, 0..<buffer.count)
        // Label fields that were not contiguous in their series, copied one after another.
        var gatheredBytes: [UInt8] = []
        var parsed: [ParsedSeries] = []
        while let (field, wire) = try reader.nextKey() {
            guard field == 1 && wire == 2 else {
                if field == 3 && wire == 2 {
                    var message = RawProtoReader(buffer, try reader.lengthDelimited())
                    if let family = try MetricMetadata.decode(&message) { metadata.append(family) }
                } else {
                    try reader.skip(wire)
                }
                continue
            }
            let seriesRange = try reader.lengthDelimited()
            var series = RawProtoReader(buffer, seriesRange)
            // The label fields as the sender framed them (key, length, message) are an unambiguous
            // concatenation: when contiguous (every real sender writes them together) they are used in
            // place, else gathered into `gatheredBytes`.
            var labelRange: Range<Int>?
            let gatherStart = gatheredBytes.count
            var gathered = false
            let firstSample = batch.count
            while true {
                let fieldStart = series.position
                guard let (seriesField, seriesWire) = try series.nextKey() else { break }
                switch (seriesField, seriesWire) {
                case (1, 2):
                    let label = try series.lengthDelimited()
                    if gathered {
                        gatheredBytes.append(contentsOf: buffer[fieldStart..<label.upperBound])
                    } else if let range = labelRange, range.upperBound != fieldStart {
                        gatheredBytes.append(contentsOf: buffer[range])
                        gatheredBytes.append(contentsOf: buffer[fieldStart..<label.upperBound])
                        gathered = true
                    } else {
                        labelRange = (labelRange?.lowerBound ?? fieldStart)..<label.upperBound
                    }
                case (2, 2):
                    var sample = RawProtoReader(buffer, try series.lengthDelimited())
                    var value = 0.0
                    var timestamp: Int64 = 0
                    while let (sampleField, sampleWire) = try sample.nextKey() {
                        switch (sampleField, sampleWire) {
                        case (1, 1): value = Double(bitPattern: try sample.fixed64())
                        case (2, 0): timestamp = Int64(bitPattern: try sample.varint())
                        default: try sample.skip(sampleWire)
                        }
                    }
                    batch.append(StableID(rawValue: 0), timestamp, value)
                default:
                    try series.skip(seriesWire)
                }
            }
            if batch.count == firstSample {
                gatheredBytes.removeSubrange(gatherStart...)
                continue
            }
            let labels = gathered ? gatherStart..<gatheredBytes.count : labelRange ?? seriesRange.lowerBound..<seriesRange.lowerBound
            parsed.append(ParsedSeries(labels: labels, gathered: gathered, samples: firstSample..<batch.count))
        }
        guard !parsed.isEmpty else { return }
        // Every series of the request resolved at once (see `SeriesResolver`).
        let outcome: Result<[SeriesResolver.Resolution], DecodeError> = gatheredBytes.withUnsafeBytes { gatheredRaw in
            let body = UnsafeRawBufferPointer(buffer)
            let tenantKey = resolver.tenantKey(tenant)
            let lookups = parsed.map { series in
                let raw = UnsafeRawBufferPointer(rebasing: (series.gathered ? gatheredRaw : body)[series.labels])
                return SeriesResolver.Lookup(hash: SeriesResolver.hash(raw, tenantKey: tenantKey), bytes: raw)
            }
            do throws(DecodeError) {
                return .success(try resolver.resolve(tenant: tenant, lookups))
            } catch {
                return .failure(error)
            }
        }
        let resolutions = try outcome.get()
        for (series, resolution) in zip(parsed, resolutions) {
            switch resolution {
            case let .known(id, ref):
                batch.assignSeries(id, hint: ref, in: series.samples)
            case let .new(id, labels, entry):
                batch.labels[id] = labels.setting(Labels.tenant, tenant)
                newSeries.append(entry)
                batch.assignSeries(id, in: series.samples)
            }
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

    /// Decodes the label messages framed in `bytes` (field, length, message per label).
    static func decodeLabels(_ raw: UnsafeRawBufferPointer) throws(DecodeError) -> [Label] {
        let result: Result<[Label], DecodeError> = raw.withMemoryRebound(to: UInt8.self) { buffer in
            do throws(DecodeError) {
                var reader = RawProtoReader(buffer, 0..<buffer.count)
                var labels: [Label] = []
                while let (_, wire) = try reader.nextKey() {
                    guard wire == 2 else { try reader.skip(wire); continue }
                    var label = RawProtoReader(buffer, try reader.lengthDelimited())
                    var name = ""
                    var value = ""
                    while let (field, labelWire) = try label.nextKey() {
                        switch (field, labelWire) {
                        case (1, 2): name = try label.string()
                        case (2, 2): value = try label.string()
                        default: try label.skip(labelWire)
                        }
                    }
                    guard name.utf8.count <= Labels.maxBytes, value.utf8.count <= Labels.maxBytes else {
                        throw DecodeError(description: "label \(name.prefix(64)) is longer than \(Labels.maxBytes) bytes (name or value)")
                    }
                    labels.append(Label(name, value))
                }
                return .success(labels)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// Protobuf wire-format primitives over a buffer and a range of it, with an integer cursor; never traps on
/// bad input (every read is checked against `end`).
struct RawProtoReader {
    let buffer: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    let end: Int

    typealias Failure = RemoteWriteRequest.DecodeError

    init(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        self.buffer = buffer
        position = range.lowerBound
        end = range.upperBound
    }

    /// The next field number and wire type, or nil at the end.
    @inline(__always)
    mutating func nextKey() throws(Failure) -> (Int, Int)? {
        guard position < end else { return nil }
        let key = try varint()
        let wire = Int(key & 7)
        let field = key >> 3
        guard wire != 6 && wire != 7 else { throw Failure(description: "proto: illegal wireType \(wire)") }
        guard field > 0, field <= UInt64(Int32.max) else { throw Failure(description: "proto: illegal tag \(field) (wire type \(wire))") }
        return (Int(field), wire)
    }

    @inline(__always)
    mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while position < end {
            let byte = buffer[position]
            position += 1
            guard shift < 64 else { throw Failure(description: "proto: integer overflow") }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
        throw Failure(description: "unexpected EOF")
    }

    @inline(__always)
    mutating func fixed64() throws(Failure) -> UInt64 {
        guard end - position >= 8 else { throw Failure(description: "unexpected EOF") }
        let value = UnsafeRawPointer(buffer.baseAddress! + position).loadUnaligned(as: UInt64.self)
        position += 8
        return UInt64(littleEndian: value)
    }

    @inline(__always)
    mutating func lengthDelimited() throws(Failure) -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(Int32.max) else { throw Failure(description: "proto: negative length found during unmarshaling") }
        guard Int(length) <= end - position else { throw Failure(description: "unexpected EOF") }
        let range = position..<(position + Int(length))
        position += Int(length)
        return range
    }

    mutating func skip(_ wire: Int) throws(Failure) {
        switch wire {
        case 0: _ = try varint()
        case 1: guard end - position >= 8 else { throw Failure(description: "unexpected EOF") }; position += 8
        case 2: _ = try lengthDelimited()
        case 5: guard end - position >= 4 else { throw Failure(description: "unexpected EOF") }; position += 4
        default: throw Failure(description: "proto: illegal wireType \(wire)")
        }
    }

    /// A length-delimited field as UTF-8 text.
    mutating func string() throws(Failure) -> String {
        let range = try lengthDelimited()
        guard let text = String(validating: buffer[range], as: UTF8.self) else {
            throw Failure(description: "proto: invalid UTF-8 string")
        }
        return text
    }
}
