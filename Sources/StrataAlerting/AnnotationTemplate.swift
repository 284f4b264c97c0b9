/// Renders annotation templates: `{{ .value }}`, `{{ .resource.name }}`, `{{ .resource.id }}`, `{{ .resource.kind }}`,
/// `{{ .labels.NAME }}`, `{{ .labels }}` (all, `name=value, …`), `{{ .definition.name }}`, `{{ .severity }}`, `{{ .state }}`,
/// `{{ .crossing }}` (a trend's projected crossing, RFC 3339), `{{ .expected }}` and `{{ .deviations }}` (a baseline's usual
/// value at the hour and how many spreads away the value is). Unknown fields render as empty
/// text; text outside `{{ }}` is kept as written. Linear in the template's length, no evaluation beyond field lookup.
public struct AnnotationTemplate: Sendable {
    /// Field values by path without the leading dot (`value`, `resource.name`, `labels.job`).
    public var fields: [String: String]

    /// A context for rendering.
    public init(fields: [String: String]) { self.fields = fields }

    /// The rendered text.
    public func render(_ template: String) -> String {
        var output = ""
        for piece in Self.pieces(template) {
            switch piece {
            case .text(let text): output += text
            case .field(let path): output += fields[path] ?? ""
            }
        }
        return output
    }

    /// The fields `template` uses whose first segment is not one a template can use (for validating definitions).
    public static func unknownFields(in template: String) -> [String] {
        let known: Set<String> = ["value", "resource", "labels", "definition", "severity", "state", "crossing", "expected", "deviations"]
        return pieces(template).compactMap { piece in
            guard case .field(let path) = piece else { return nil }
            let head = String(path.split(separator: ".").first ?? "")
            return known.contains(head) ? nil : path
        }
    }

    enum Piece: Equatable {
        case text(String)
        case field(String)
    }

    /// Splits a template into literal text and `{{ .path }}` fields (an unclosed `{{` is text).
    static func pieces(_ template: String) -> [Piece] {
        let bytes = Array(template.utf8)
        var pieces: [Piece] = []
        var literalStart = 0
        var index = 0
        let brace = UInt8(ascii: "{"), close = UInt8(ascii: "}")
        while index + 1 < bytes.count {
            guard bytes[index] == brace, bytes[index + 1] == brace else {
                index += 1
                continue
            }
            var end = index + 2
            while end + 1 < bytes.count, !(bytes[end] == close && bytes[end + 1] == close) { end += 1 }
            guard end + 1 < bytes.count else { break }
            if literalStart < index { pieces.append(.text(String(decoding: bytes[literalStart..<index], as: UTF8.self))) }
            var path = Substring(String(decoding: bytes[(index + 2)..<end], as: UTF8.self))
            while path.first == " " { path.removeFirst() }
            while path.last == " " { path.removeLast() }
            if path.first == "." { path.removeFirst() }
            pieces.append(.field(String(path)))
            index = end + 2
            literalStart = index
        }
        if literalStart < bytes.count { pieces.append(.text(String(decoding: bytes[literalStart...], as: UTF8.self))) }
        return pieces
    }
}
