import StrataAPI
import StrataCore

/// The text of a `samples` event, written straight into a string: the same JSON that `JSONTreeEncoder` renders for
/// `API.StreamSamples` (a test holds the two equal), about five times faster — a stream of a busy selector renders
/// every sample it sends, and a subscriber that stalls renders its socket buffers' worth (~10 MB) before it is dropped,
/// on the cores ingest runs on.
enum StreamEventText {
    /// `id: ID`, `event: samples` and `data: {"series":[…]}`, ending with the blank line.
    static func samples(id: String, _ series: [API.StreamSeries]) -> String {
        var out = "id: " + id + "\nevent: samples\ndata: {\"series\":["
        out.reserveCapacity(series.reduce(0) { $0 + 60 + 24 * $1.samples.count + 16 * $1.labels.labels.pairs.count })
        for (index, entry) in series.enumerated() {
            out += index == 0 ? "{\"id\":\"" : ",{\"id\":\""
            out += entry.id.description
            out += "\",\"labels\":{"
            for (position, label) in entry.labels.labels.pairs.enumerated() {
                if position > 0 { out += "," }
                JSONText.appendQuoted(label.name, to: &out)
                out += ":"
                JSONText.appendQuoted(label.value, to: &out)
            }
            out += "},\"samples\":["
            for (position, point) in entry.samples.enumerated() {
                out += position == 0 ? "[" : ",["
                out += String(point.timestampMs)
                out += ","
                JSON.appendDouble(point.value, to: &out)
                out += "]"
            }
            out += "],\"endedMs\":"
            out += entry.endedMs.map { String($0) } ?? "null"
            out += "}"
        }
        out += "]}\n\n"
        return out
    }
}
