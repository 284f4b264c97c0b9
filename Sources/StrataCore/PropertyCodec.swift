/// Binary encoding of `PropertyValue` trees: a tag byte, then the value.
enum PropertyCodec {
    /// Deepest nesting accepted when decoding.
    static let maxDepth = 16

    static func write(_ value: PropertyValue, to w: inout BinaryWriter) {
        switch value {
        case .string(let s): w.write(byte: 0); w.write(string: s)
        case .int(let i): w.write(byte: 1); w.write(varint: i)
        case .double(let d): w.write(byte: 2); w.write(double: d)
        case .bool(let b): w.write(byte: 3); w.write(byte: b ? 1 : 0)
        case .list(let items):
            w.write(byte: 4)
            w.write(uvarint: UInt64(items.count))
            for item in items { write(item, to: &w) }
        case .map(let entries):
            w.write(byte: 5)
            w.write(uvarint: UInt64(entries.count))
            for entry in entries {
                w.write(string: entry.key)
                write(entry.value, to: &w)
            }
        }
    }

    static func read(from r: inout BinaryReader, depth: Int) throws(DecodeError) -> PropertyValue {
        guard depth < maxDepth else { throw .invalidValue(field: "properties", reason: "nested deeper than \(maxDepth)") }
        let tag = try r.readByte("property.tag")
        switch tag {
        case 0: return .string(try r.readString("property.string"))
        case 1: return .int(try r.readVarint("property.int"))
        case 2: return .double(try r.readDouble("property.double"))
        case 3:
            let b = try r.readByte("property.bool")
            guard b <= 1 else { throw .invalidValue(field: "properties", reason: "bool must be 0 or 1") }
            return .bool(b == 1)
        case 4:
            let count = try r.readCount("property.list")
            var items: [PropertyValue] = []
            for _ in 0..<count { items.append(try read(from: &r, depth: depth + 1)) }
            return .list(items)
        case 5:
            let count = try r.readCount("property.map", minimumElementSize: 2)
            var entries: [(key: String, value: PropertyValue)] = []
            for _ in 0..<count {
                let key = try r.readString("property.key")
                entries.append((key, try read(from: &r, depth: depth + 1)))
            }
            return .map(entries)
        default:
            throw .invalidValue(field: "properties", reason: "unknown value tag \(tag)")
        }
    }
}
