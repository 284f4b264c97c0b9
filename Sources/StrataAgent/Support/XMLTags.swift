/// The start tags of an XML document in order, with their attributes (entities decoded): enough to read
/// status pages and configuration files such as Tomcat's `server.xml`, without a full XML parser.
/// Comments, processing instructions and end tags are skipped; text content is ignored.
struct XMLTags {
    /// One start (or empty-element) tag.
    struct Tag: Equatable {
        var name: String
        var attributes: [String: String]
    }

    /// The tags in document order.
    let tags: [Tag]

    /// Scans `text`; malformed markup ends the scan without a trap.
    init(_ text: String) {
        var tags: [Tag] = []
        let bytes = Array(text.utf8)
        var index = 0
        while let open = bytes[index...].firstIndex(of: UInt8(ascii: "<")) {
            index = open + 1
            guard index < bytes.count else { break }
            if bytes[index...].starts(with: Array("!--".utf8)) {
                guard let end = Self.find(Array("-->".utf8), in: bytes, from: index) else { break }
                index = end + 3
                continue
            }
            if bytes[index] == UInt8(ascii: "/") || bytes[index] == UInt8(ascii: "?") || bytes[index] == UInt8(ascii: "!") { continue }
            var cursor = index
            while cursor < bytes.count, !Self.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">"), bytes[cursor] != UInt8(ascii: "/") {
                cursor += 1
            }
            let name = String(decoding: bytes[index..<cursor], as: UTF8.self)
            var attributes: [String: String] = [:]
            while cursor < bytes.count {
                while cursor < bytes.count, Self.isSpace(bytes[cursor]) { cursor += 1 }
                guard cursor < bytes.count, bytes[cursor] != UInt8(ascii: ">"), bytes[cursor] != UInt8(ascii: "/") else { break }
                let nameStart = cursor
                while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "="), !Self.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">") {
                    cursor += 1
                }
                let attribute = String(decoding: bytes[nameStart..<cursor], as: UTF8.self)
                while cursor < bytes.count, Self.isSpace(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "=") { cursor += 1 }
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'") else { break }
                let quote = bytes[cursor]
                guard let close = bytes[(cursor + 1)...].firstIndex(of: quote) else { cursor = bytes.count; break }
                attributes[attribute] = Self.decodeEntities(String(decoding: bytes[(cursor + 1)..<close], as: UTF8.self))
                cursor = close + 1
            }
            if !name.isEmpty { tags.append(Tag(name: name, attributes: attributes)) }
            index = cursor
        }
        self.tags = tags
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + needle.count <= bytes.count {
            if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    /// Text with the five predefined entities and numeric references decoded.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var result = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            result += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                result += rest[amp...]
                return result
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let number = entity.hasPrefix("#x") ? UInt32(entity.dropFirst(2), radix: 16) : entity.hasPrefix("#") ? UInt32(entity.dropFirst()) : nil
                if let number, let scalar = Unicode.Scalar(number) { result.unicodeScalars.append(scalar) } else { result += "&\(entity);" }
            }
            rest = rest[rest.index(after: semicolon)...]
        }
        return result + rest
    }
}
