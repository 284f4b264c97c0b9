import Hummingbird
import StrataCore
import StrataPromQL
import StrataPromQLEngine

/// A query's answer as Prometheus 2.42 writes it: `{"resultType":…,"result":…}`, label sets as objects, each
/// value `[unixSeconds, "text"]` with Prometheus's timestamp and number text (`PromFloatText`). Written straight
/// into UTF-8 bytes: a range answer can hold millions of points.
enum PromQLAnswerJSON {
    /// The success envelope `{"status":"success","data":…}` around `value`, as a response.
    static func response(_ value: QueryValue) -> Response {
        let pieces = texts(value)
        var buffer = ByteBufferAllocator().buffer(capacity: pieces.reduce(40) { $0 &+ $1.count })
        buffer.writeString(#"{"status":"success","data":"#)
        for piece in pieces { buffer.writeBytes(piece) }
        buffer.writeString("}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: buffer))
    }

    /// `value`'s JSON appended to `out`.
    static func append(_ value: QueryValue, to out: inout [UInt8]) {
        for piece in texts(value) { out.append(contentsOf: piece) }
    }

    /// `value`'s JSON in pieces, in order: a large matrix is written in slices on every core, each copied once into
    /// the response.
    static func texts(_ value: QueryValue) -> [[UInt8]] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedSize(value))
        var pieces: [[UInt8]] = []
        out.append(contentsOf: #"{"resultType":""#.utf8)
        out.append(contentsOf: value.resultType.utf8)
        out.append(contentsOf: #"","result":"#.utf8)
        switch value {
        case .vector(let samples):
            out.append(UInt8(ascii: "["))
            for (index, sample) in samples.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"metric":"#.utf8)
                appendLabels(sample.labels, to: &out)
                out.append(contentsOf: #","value":"#.utf8)
                appendPoint(sample.t, sample.v, to: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        case .matrix(let series):
            out.append(UInt8(ascii: "["))
            let points = series.reduce(0) { $0 &+ $1.points.count }
            if points >= parallelPoints, series.count > 1 {
                // Numbers are most of a large answer's time: slices of series are written on every core.
                let slices = ParallelSlices.mapRanges(series.count, parts: ParallelSlices.cores) { range in
                    var text: [UInt8] = []
                    text.reserveCapacity(estimatedSize(series[range]))
                    appendSeries(series[range], first: range.lowerBound == 0, to: &text)
                    return text
                }
                pieces.append(out)
                pieces += slices
                out = []
            } else {
                appendSeries(series[...], first: true, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let point):
            appendPoint(point.t, point.v, to: &out)
        case .string(let text, let t):
            out.append(UInt8(ascii: "["))
            PromFloatText.appendTimestamp(t, to: &out)
            out.append(UInt8(ascii: ","))
            appendQuoted(text, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        pieces.append(out)
        return pieces
    }

    /// Points from which a matrix is written on several cores.
    static let parallelPoints = 20_000

    /// `series` as elements of a matrix's JSON array, a comma before each but the very first.
    static func appendSeries(_ series: ArraySlice<Series>, first: Bool, to out: inout [UInt8]) {
        // A range answer's series share their steps: each position's timestamp text is kept from the series
        // before and copied while the times agree, from one table (an array per text cost a retain per point).
        // Each point is composed in a small buffer and appended at once.
        var texts = TimeTexts()
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 + TimeTexts.cell + 4 + PromFloatText.usualSampleValueBytes) { buffer in
            let point = buffer.baseAddress!
            for (index, item) in zip(series.indices, series) {
                if index > series.startIndex || !first { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"metric":"#.utf8)
                appendLabels(item.labels, to: &out)
                out.append(contentsOf: #","values":["#.utf8)
                for position in item.points.indices {
                    var count = 0
                    if position > 0 {
                        point[0] = UInt8(ascii: ",")
                        count = 1
                    }
                    point[count] = UInt8(ascii: "[")
                    count += 1
                    count += texts.write(item.points[position].t, at: position, to: point + count)
                    let v = item.points[position].v
                    if let written = PromFloatText.writeUsualSampleValue(v, to: point + count + 2) {
                        point[count] = UInt8(ascii: ",")
                        point[count + 1] = UInt8(ascii: "\"")
                        count += 2 + written
                        point[count] = UInt8(ascii: "\"")
                        point[count + 1] = UInt8(ascii: "]")
                        out.append(contentsOf: UnsafeBufferPointer(start: point, count: count + 2))
                    } else {
                        out.append(contentsOf: UnsafeBufferPointer(start: point, count: count))
                        appendValueAndClose(v, to: &out)
                    }
                }
                out.append(contentsOf: "]}".utf8)
            }
        }
    }

    /// The timestamp texts of one slice of a matrix by position, in fixed cells of one table (a timestamp's text
    /// is at most 21 bytes: `-9223372036854775.808`).
    struct TimeTexts {
        static let cell = 32
        private var times: [Int64] = []
        private var bytes: [UInt8] = []

        /// The text of `t` written at `start` (room for `cell` bytes), from the table when position `position` last
        /// held `t`; its length.
        mutating func write(_ t: Int64, at position: Int, to start: UnsafeMutablePointer<UInt8>) -> Int {
            let offset = position &* Self.cell
            if position >= times.count {
                times += [Int64](repeating: 0, count: position + 1 - times.count)
                bytes += [UInt8](repeating: 0, count: times.count * Self.cell - bytes.count)
            }
            // A cell of length 0 is empty (no timestamp's text is): no time value is set aside as a marker.
            if bytes[offset] == 0 || times[position] != t {
                var text: [UInt8] = []
                PromFloatText.appendTimestamp(t, to: &text)
                times[position] = t
                bytes[offset] = UInt8(min(text.count, Self.cell - 1))
                for (index, byte) in text.prefix(Self.cell - 1).enumerated() { bytes[offset + 1 + index] = byte }
            }
            return bytes.withUnsafeBufferPointer { table in
                let count = Int(table[offset])
                start.update(from: table.baseAddress! + offset + 1, count: count)
                return count
            }
        }
    }

    /// Bytes to reserve: about 30 per point and 100 per series, so a large answer is not copied as it grows.
    static func estimatedSize(_ value: QueryValue) -> Int {
        switch value {
        case .matrix(let series): return estimatedSize(series[...])
        case .vector(let samples): return 64 &+ 130 &* samples.count
        default: return 128
        }
    }

    /// Bytes to reserve for `series` in a matrix.
    static func estimatedSize(_ series: ArraySlice<Series>) -> Int {
        series.reduce(64) { $0 &+ 100 &+ 30 &* $1.points.count }
    }

    static func appendLabels(_ labels: Labels, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, label) in labels.pairs.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(label.name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendQuoted(label.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// `text` as a JSON string, escaped as `JSONText.appendQuoted` escapes it.
    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        if text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            var quoted = ""
            JSONText.appendQuoted(text, to: &quoted)
            out.append(contentsOf: quoted.utf8)
        } else {
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
        }
    }

    static func appendPoint(_ t: Int64, _ v: Double, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        PromFloatText.appendTimestamp(t, to: &out)
        appendValueAndClose(v, to: &out)
    }

    /// The rest of a point after its timestamp: `,"value"]`.
    static func appendValueAndClose(_ v: Double, to out: inout [UInt8]) {
        out.append(UInt8(ascii: ","))
        out.append(UInt8(ascii: "\""))
        PromFloatText.appendSampleValue(v, to: &out)
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: "]"))
    }
}
