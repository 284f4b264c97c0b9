import StrataCore
import StrataPromQL
import StrataPromQLEngine

/// A query's answer as Prometheus 2.42 writes it: `{"resultType":…,"result":…}`, label sets as objects, each
/// value `[unixSeconds, "text"]` with Prometheus's timestamp and number text (`PromFloatText`). Written straight
/// into text: a range answer can hold millions of points.
enum PromQLAnswerJSON {
    static func text(_ value: QueryValue) -> String {
        var out = "{\"resultType\":\"\(value.resultType)\",\"result\":"
        switch value {
        case .vector(let samples):
            out += "["
            for (index, sample) in samples.enumerated() {
                if index > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(sample.labels, to: &out)
                out += ",\"value\":"
                appendPoint(sample.t, sample.v, to: &out)
                out += "}"
            }
            out += "]"
        case .matrix(let series):
            out += "["
            for (index, item) in series.enumerated() {
                if index > 0 { out += "," }
                out += "{\"metric\":"
                appendLabels(item.labels, to: &out)
                out += ",\"values\":["
                for (position, point) in item.points.enumerated() {
                    if position > 0 { out += "," }
                    appendPoint(point.t, point.v, to: &out)
                }
                out += "]}"
            }
            out += "]"
        case .scalar(let point):
            appendPoint(point.t, point.v, to: &out)
        case .string(let text, let t):
            out += "[" + PromFloatText.timestamp(t) + "," + JSON.string(text).text + "]"
        }
        return out + "}"
    }

    static func appendLabels(_ labels: Labels, to out: inout String) {
        out += "{"
        for (index, label) in labels.pairs.enumerated() {
            if index > 0 { out += "," }
            out += JSON.string(label.name).text
            out += ":"
            out += JSON.string(label.value).text
        }
        out += "}"
    }

    static func appendPoint(_ t: Int64, _ v: Double, to out: inout String) {
        out += "["
        out += PromFloatText.timestamp(t)
        out += ",\""
        out += PromFloatText.sampleValue(v)
        out += "\"]"
    }
}
