/// Properties travel in the API as the JSON they are: objects, lists, strings, numbers, booleans.
extension PropertyValue: Codable {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            var entries: [(key: String, value: PropertyValue)] = []
            for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) where try !container.decodeNil(forKey: key) {
                entries.append((key.stringValue, try container.decode(PropertyValue.self, forKey: key)))
            }
            self = .map(entries)
        } else if var container = try? decoder.unkeyedContainer() {
            var items: [PropertyValue] = []
            while !container.isAtEnd {
                if try container.decodeNil() { continue }
                items.append(try container.decode(PropertyValue.self))
            }
            self = .list(items)
        } else {
            let container = try decoder.singleValueContainer()
            if let bool = try? container.decode(Bool.self) {
                self = .bool(bool)
            } else if let int = try? container.decode(Int64.self) {
                self = .int(int)
            } else if let double = try? container.decode(Double.self) {
                self = .double(double)
            } else {
                self = .string(try container.decode(String.self))
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .map(let entries):
            var container = encoder.container(keyedBy: Key.self)
            for entry in entries { try container.encode(entry.value, forKey: Key(stringValue: entry.key)) }
        case .list(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .string(let string):
            var container = encoder.singleValueContainer()
            try container.encode(string)
        case .int(let int):
            var container = encoder.singleValueContainer()
            try container.encode(int)
        case .double(let double):
            var container = encoder.singleValueContainer()
            try container.encode(double)
        case .bool(let bool):
            var container = encoder.singleValueContainer()
            try container.encode(bool)
        }
    }
}
