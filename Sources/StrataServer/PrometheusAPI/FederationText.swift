import StrataCore
import StrataPromQL

/// The answer of `/prometheus/federate` in Prometheus's text exposition format (0.0.4), as Prometheus 2.42's own
/// `/federate` writes it: series grouped by metric name in name order, each family headed by `# TYPE name untyped`,
/// each sample `name{labels} value timestamp` with the sample's own timestamp in ms. Pure: the route reads the
/// samples, this writes them.
enum FederationText {
    /// One series' latest sample.
    struct Sample: Sendable {
        var labels: Labels
        var timestampMs: Int64
        var value: Double
    }

    /// The content type a scraping Prometheus expects.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// `samples` in exposition text; series without a metric name are left out (the format cannot hold them).
    static func text(_ samples: [Sample]) -> String {
        let named = samples.compactMap { sample in sample.labels[Labels.metricName].map { (name: $0, sample: sample) } }
        let sorted = named.sorted { left, right in
            left.name != right.name ? left.name < right.name : PrometheusAPIRoutes.precedes(left.sample.labels.pairs, right.sample.labels.pairs)
        }
        var out = ""
        var family: String?
        for (name, sample) in sorted {
            if name != family {
                out += "# TYPE \(name) untyped\n"
                family = name
            }
            out += name
            let others = sample.labels.pairs.filter { $0.name != Labels.metricName }
            if !others.isEmpty {
                out += "{"
                for (index, label) in others.enumerated() {
                    if index > 0 { out += "," }
                    out += label.name + "=\"" + escaped(label.value) + "\""
                }
                out += "}"
            }
            out += " " + PromFloatText.shortest(sample.value) + " " + String(sample.timestampMs) + "\n"
        }
        return out
    }

    /// A label value with `\`, `"` and line feeds escaped, as the text format requires.
    static func escaped(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
