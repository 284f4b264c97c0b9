import StrataCore

/// A JSON value built by handlers and rendered once; `raw` embeds JSON text already stored
/// (resource properties) without re-parsing it.
indirect enum JSON: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])
    case raw(String)

    init(stringLiteral value: String) { self = .string(value) }
    init(arrayLiteral elements: JSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, JSON)...) { self = .object(elements) }

    /// An optional string as a string or null.
    static func optional(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    /// The rendered text.
    var text: String {
        var out = ""
        write(into: &out)
        return out
    }

    /// A number as `.double` renders it: integers without a fraction, others in Swift's shortest form, and the
    /// non-finite ones as the strings `"NaN"`, `"+Inf"` and `"-Inf"`. Also used by writers that build JSON text
    /// directly (live sample streams).
    static func appendDouble(_ value: Double, to out: inout String) {
        if value.isFinite {
            out += value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        } else {
            out += value.isNaN ? "\"NaN\"" : (value > 0 ? "\"+Inf\"" : "\"-Inf\"")
        }
    }

    private func write(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): Self.appendDouble(value, to: &out)
        case .string(let value): JSONText.appendQuoted(value, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(into: &out)
            }
            out += "]"
        case .object(let entries):
            out += "{"
            for (index, entry) in entries.enumerated() {
                if index > 0 { out += "," }
                JSONText.appendQuoted(entry.0, to: &out)
                out += ":"
                entry.1.write(into: &out)
            }
            out += "}"
        case .raw(let text): out += text
        }
    }
}
