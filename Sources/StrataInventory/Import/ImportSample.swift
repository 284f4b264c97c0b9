/// One `[time, value]` pair of an imported series; the value a JSON number or a string (`"1.5"`, `"NaN"`).
public struct ImportSample: Sendable, Codable, Equatable {
    /// When.
    public var time: ImportTime
    /// The value as given; nil when it is neither a number nor a numeric string (refused by the validator).
    public var value: Double?
    /// The value's text when it was not a number, for messages.
    public var text: String?

    /// A sample.
    public init(time: ImportTime, value: Double) {
        self.time = time
        self.value = value
    }

    /// Whether it was not a `[time, value]` pair (refused by the validator, naming it).
    public var malformed = false

    public init(from decoder: any Decoder) throws {
        guard var container = try? decoder.unkeyedContainer(), container.count == 2, let time = try? container.decode(ImportTime.self) else {
            self.time = .ms(0)
            malformed = true
            return
        }
        self.time = time
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let string = try? container.decode(String.self) {
            text = string
            switch string {
            case "NaN": value = .nan
            case "+Inf", "Inf": value = .infinity
            case "-Inf": value = -.infinity
            default: value = Double(string)
            }
        } else {
            text = "(not a number or string)"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(time)
        if let value, value.isFinite { try container.encode(value) } else { try container.encode(text ?? "NaN") }
    }
}
