/// Encodes a StrataAPI value into the `JSON` tree the server renders: keys in the order the type encodes
/// them, a nil optional as `null` (the API always shows a field, even empty), and about as fast as building
/// the tree by hand (Foundation's JSONEncoder is about 3× slower on 100k points and would reorder nothing
/// better).
enum JSONTreeEncoder {
    /// The tree of `value`.
    static func encode(_ value: some Encodable) throws -> JSON {
        let encoder = TreeEncoder(codingPath: [])
        try value.encode(to: encoder)
        return encoder.slot.json
    }
}

/// Where a value goes: filled once by a single value, or grown by a keyed or unkeyed container.
private final class Slot {
    enum Content {
        case empty
        case value(JSON)
        case object([(String, Slot)])
        case array([Slot])
    }

    var content = Content.empty

    var json: JSON {
        switch content {
        case .empty: return .null
        case .value(let value): return value
        case .object(let entries): return .object(entries.map { ($0.0, $0.1.json) })
        case .array(let items): return .array(items.map(\.json))
        }
    }

    func appendEntry(_ key: String) -> Slot {
        let slot = Slot()
        var entries: [(String, Slot)] = []
        if case .object(let existing) = content { entries = existing }
        content = .empty
        if let index = entries.firstIndex(where: { $0.0 == key }) {
            entries[index].1 = slot
        } else {
            entries.append((key, slot))
        }
        content = .object(entries)
        return slot
    }

    func appendItem() -> Slot {
        let slot = Slot()
        var items: [Slot] = []
        if case .array(let existing) = content { items = existing }
        content = .empty
        items.append(slot)
        content = .array(items)
        return slot
    }
}

private struct TreeEncoder: Encoder {
    var codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    let slot: Slot

    init(codingPath: [any CodingKey], slot: Slot = Slot()) {
        self.codingPath = codingPath
        self.slot = slot
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .empty = slot.content { slot.content = .object([]) }
        return KeyedEncodingContainer(Keyed<Key>(codingPath: codingPath, slot: slot))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .empty = slot.content { slot.content = .array([]) }
        return Unkeyed(codingPath: codingPath, slot: slot)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(codingPath: codingPath, slot: slot) }
}

/// The leaf values, shared by the three containers.
private func leaf(_ value: some Encodable, codingPath: [any CodingKey], into slot: Slot) throws {
    switch value {
    case let string as String: slot.content = .value(.string(string))
    case let bool as Bool: slot.content = .value(.bool(bool))
    case let int as Int64: slot.content = .value(.int(int))
    case let int as Int: slot.content = .value(.int(Int64(int)))
    case let int as Int32: slot.content = .value(.int(Int64(int)))
    case let int as UInt64: slot.content = .value(int <= UInt64(Int64.max) ? .int(Int64(int)) : .double(Double(int)))
    case let double as Double: slot.content = .value(.double(double))
    case let float as Float: slot.content = .value(.double(Double(float)))
    default: try value.encode(to: TreeEncoder(codingPath: codingPath, slot: slot))
    }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    var codingPath: [any CodingKey]
    let slot: Slot

    mutating func encodeNil(forKey key: Key) throws { slot.appendEntry(key.stringValue).content = .value(.null) }
    mutating func encode(_ value: some Encodable, forKey key: Key) throws {
        try leaf(value, codingPath: codingPath + [key], into: slot.appendEntry(key.stringValue))
    }
    // A nil optional is shown as null, not left out.
    mutating func encodeIfPresent(_ value: (some Encodable)?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        guard let value else { return try encodeNil(forKey: key) }
        try encode(value, forKey: key)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(codingPath: codingPath + [key], slot: slot.appendEntry(key.stringValue)).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath + [key], slot: slot.appendEntry(key.stringValue)).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, slot: slot) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(codingPath: codingPath + [key], slot: slot.appendEntry(key.stringValue)) }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    var codingPath: [any CodingKey]
    let slot: Slot
    var count: Int {
        if case .array(let items) = slot.content { return items.count }
        return 0
    }

    mutating func encodeNil() throws { slot.appendItem().content = .value(.null) }
    mutating func encode(_ value: some Encodable) throws { try leaf(value, codingPath: codingPath, into: slot.appendItem()) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        TreeEncoder(codingPath: codingPath, slot: slot.appendItem()).container(keyedBy: keyType)
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        TreeEncoder(codingPath: codingPath, slot: slot.appendItem()).unkeyedContainer()
    }
    mutating func superEncoder() -> any Encoder { TreeEncoder(codingPath: codingPath, slot: slot.appendItem()) }
}

private struct Single: SingleValueEncodingContainer {
    var codingPath: [any CodingKey]
    let slot: Slot

    mutating func encodeNil() throws { slot.content = .value(.null) }
    mutating func encode(_ value: some Encodable) throws { try leaf(value, codingPath: codingPath, into: slot) }
}
