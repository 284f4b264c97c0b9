import Foundation
import StrataCore

/// Labels stored as a JSON object text: `{"cpu":"0","mode":"idle"}`.
public enum LabelsJSON {
    /// The labels as a JSON object, keys sorted.
    public static func encode(_ labels: Labels) -> String {
        var out = "{"
        for (index, label) in labels.pairs.enumerated() {
            if index > 0 { out += "," }
            JSONText.appendQuoted(label.name, to: &out)
            out += ":"
            JSONText.appendQuoted(label.value, to: &out)
        }
        return out + "}"
    }

    /// Parses what `encode` wrote; an unreadable text gives empty labels.
    public static func decode(_ text: String) -> Labels {
        guard let object = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else { return Labels() }
        return Labels(object.map { Label($0.key, $0.value) })
    }
}
