/// Reading properties back from the JSON text `PropertyValue.json` writes (the catalog stores them so).
extension PropertyValue {
    /// Why a JSON text is not a property value.
    public struct JSONError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Byte offset of the problem.
        public var offset: Int
        /// What was wrong there.
        public var reason: String

        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// The value `text` spells: objects keep their key order; integers that fit in 64 bits are `.int`, other
    /// numbers `.double`; `null` has no property value: refused at the top level, dropped inside lists and objects.
    /// Nesting deeper than 64 levels is refused, so hostile text cannot exhaust the stack.
    public init(json text: String) throws(JSONError) {
        var parser = JSONParser(bytes: Array(text.utf8))
        parser.skipSpace()
        guard let value = try parser.value(depth: 0) else { throw JSONError(offset: 0, reason: "null is not a property value") }
        parser.skipSpace()
        guard parser.index == parser.bytes.count else { throw JSONError(offset: parser.index, reason: "text after the value") }
        self = value
    }
}

/// A recursive-descent JSON reader over UTF-8 bytes.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    static let maxDepth = 64

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    func fail(_ reason: String) -> PropertyValue.JSONError { PropertyValue.JSONError(offset: index, reason: reason) }

    /// The next value; nil for `null`.
    mutating func value(depth: Int) throws(PropertyValue.JSONError) -> PropertyValue? {
        guard depth < Self.maxDepth else { throw fail("nested deeper than \(Self.maxDepth) levels") }
        guard index < bytes.count else { throw fail("unexpected end") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try list(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return nil
        default: return try number()
        }
    }

    mutating func literal(_ word: String) throws(PropertyValue.JSONError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<index + expected.count]) == expected else { throw fail("expected \(word)") }
        index += expected.count
    }

    mutating func object(depth: Int) throws(PropertyValue.JSONError) -> PropertyValue {
        index += 1
        var entries: [(key: String, value: PropertyValue)] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .map(entries) }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipSpace()
            if let value = try value(depth: depth + 1) { entries.append((key, value)) }
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
            index += 1
            return .map(entries)
        }
    }

    mutating func list(depth: Int) throws(PropertyValue.JSONError) -> PropertyValue {
        index += 1
        var items: [PropertyValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
        while true {
            skipSpace()
            if let value = try value(depth: depth + 1) { items.append(value) }
            skipSpace()
            guard index < bytes.count else { throw fail("unexpected end of list") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
            index += 1
            return .list(items)
        }
    }

    mutating func number() throws(PropertyValue.JSONError) -> PropertyValue {
        let start = index
        while index < bytes.count, Self.numberBytes.contains(bytes[index]) { index += 1 }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if let int = Int64(text) { return .int(int) }
        if let double = Double(text), double.isFinite { return .double(double) }
        index = start
        throw fail("expected a value")
    }

    static let numberBytes = Set("+-0123456789.eE".utf8)

    mutating func string() throws(PropertyValue.JSONError) -> String {
        try JSONStringLiteral.read(bytes, at: &index)
    }
}
