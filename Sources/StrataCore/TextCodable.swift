/// A value encoded as one string (an id as hex, a severity as its name), decoded from it or refused with
/// the reason.
public protocol TextCodable: Codable {
    /// The value `text` spells, or nil.
    init?(text: String)
    /// The text the value is encoded as.
    var text: String { get }
    /// What a valid text looks like, for the decoding error.
    static var textExpectation: String { get }
}

extension TextCodable {
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }

    /// The value the decoder's string spells (for types whose synthesized coding must be replaced, as enums').
    public static func decodeText(from decoder: any Decoder) throws -> Self {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not \(Self.textExpectation)"))
        }
        return value
    }

    /// Encodes the value as its text.
    public func encodeText(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}

extension StableID: TextCodable {
    public init?(text: String) { self.init(hex: text) }
    public var text: String { description }
    public static var textExpectation: String { "a 16-digit hex id" }
}
