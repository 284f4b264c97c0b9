import Foundation
import Testing

/// The data files under `Cases/`: tests ported from Prometheus v2.42.0 (`promql/parser/parse_test.go`,
/// `printer_test.go`, `prettier_test.go`) and answers recorded from a real Prometheus 2.42 (`format_query`).
enum CaseFiles {
    static let directory: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Cases/"
    }()

    static func load<T: Decodable>(_ name: String, as type: T.Type = T.self) -> T {
        let data = FileManager.default.contents(atPath: directory + name)!
        return try! JSONDecoder().decode(T.self, from: data)
    }
}

/// A case of `parse_test.json`: an input and either the tree Prometheus builds or a part of its error.
struct ParseCase: Decodable, Sendable, CustomTestStringConvertible {
    var input: String?
    var inputBytes: [UInt8]?
    /// Pieces to repeat, for an input too long to keep in the file.
    var inputRepeat: [[RepeatPiece]]?
    /// The tree, in `TreeDump`'s encoding.
    var expected: JSONValue?
    /// What Prometheus's test requires the error to contain.
    var error: String?
    /// The whole error a real Prometheus 2.42 gives.
    var prometheus: String?
    /// What its `format_query` answers.
    var formatted: String?

    enum RepeatPiece: Decodable, Sendable {
        case text(String), count(Int)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let count = try? container.decode(Int.self) { self = .count(count) } else { self = .text(try container.decode(String.self)) }
        }
    }

    var bytes: [UInt8] {
        if let inputBytes { return inputBytes }
        if let inputRepeat {
            var text = ""
            for piece in inputRepeat {
                if case .text(let part) = piece[0], case .count(let count) = piece[1] { text += String(repeating: part, count: count) }
            }
            return Array(text.utf8)
        }
        return Array(input!.utf8)
    }

    var testDescription: String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.count > 60 ? String(text.prefix(60)) + "…" : text
    }
}

/// A case of `printer_test.json`: `string` is `String()` of the parsed input; `pretty` its `Pretty` at `width`.
struct PrinterCase: Decodable, Sendable, CustomTestStringConvertible {
    var input: String
    var string: String?
    var pretty: String?
    var width: Int?
    var testDescription: String { input }
}

/// A case of `prometheus_answers.json`: the real Prometheus's whole error, or its `format_query` text.
struct AnswerCase: Decodable, Sendable, CustomTestStringConvertible {
    var input: String
    var error: String?
    var formatted: String?
    var testDescription: String { input }
}

/// Any JSON value, to compare trees.
enum JSONValue: Decodable, Equatable, Sendable, CustomStringConvertible {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return String(value)
        case .number(let value): return String(value)
        case .string(let value): return "\"\(value)\""
        case .array(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .object(let fields): return "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
