/// A time as an import document gives it: Unix milliseconds (an integer) or an RFC 3339 text
/// (`2026-11-01T00:00:00Z`, `2026-11-01T02:00:00.250+02:00`). Kept as given; `milliseconds` judges it.
public enum ImportTime: Sendable, Codable, Equatable {
    /// A JSON integer: Unix ms.
    case ms(Int64)
    /// A JSON number with a fraction, or an integer too large for Int64: refused by `milliseconds`.
    case fraction(Double)
    /// A JSON string: RFC 3339.
    case text(String)

    /// The latest time an import accepts: 9999-12-31T23:59:59.999Z.
    public static let latestMs: Int64 = 253_402_300_799_999

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let ms = try? container.decode(Int64.self) {
            self = .ms(ms)
        } else if let number = try? container.decode(Double.self) {
            self = .fraction(number)
        } else {
            self = .text(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .ms(let ms): try container.encode(ms)
        case .fraction(let number): try container.encode(number)
        case .text(let text): try container.encode(text)
        }
    }

    /// Unix ms, or why the time is refused: not an integer, before 1970, after 9999, or not RFC 3339.
    public var milliseconds: Result<Int64, ImportTimeError> {
        switch self {
        case .ms(let ms):
            guard ms >= 0, ms <= Self.latestMs else { return .failure(ImportTimeError(reason: "\(ms) is outside 0 … \(Self.latestMs) (Unix ms, 1970 to 9999)")) }
            return .success(ms)
        case .fraction(let number):
            return .failure(ImportTimeError(reason: "\(number) is not a whole number of Unix milliseconds"))
        case .text(let text):
            guard let ms = Self.rfc3339(text) else {
                return .failure(ImportTimeError(reason: "\"\(text.prefix(64))\" is neither Unix milliseconds nor an RFC 3339 time such as 2026-11-01T00:00:00Z"))
            }
            guard ms >= 0 else { return .failure(ImportTimeError(reason: "\(text) is before 1970")) }
            return .success(ms)
        }
    }

    /// Unix ms of an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`, `t`/`z` and a space for `T`
    /// accepted), fractions beyond milliseconds truncated; nil when malformed. No arithmetic can overflow: every
    /// field is range-checked first.
    public static func rfc3339(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ allowed: Set<UInt8>) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), year >= 1, expect([45]), let month = digits(2), (1...12).contains(month), expect([45]),
              let day = digits(2), day >= 1, day <= daysIn(month: month, year: year), expect([84, 116, 32]),
              let hour = digits(2), hour < 24, expect([58]), let minute = digits(2), minute < 60, expect([58]),
              let second = digits(2), second < 61 else { return nil }
        var fraction: Int64 = 0
        if index < bytes.count, bytes[index] == 46 {
            index += 1
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if count < 3 { fraction = fraction * 10 + Int64(bytes[index] - 48) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { fraction *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if expect([90, 122]) {
            offsetMinutes = 0
        } else {
            guard index < bytes.count, bytes[index] == 43 || bytes[index] == 45 else { return nil }
            let sign: Int64 = bytes[index] == 45 ? -1 : 1
            index += 1
            guard let hours = digits(2), hours < 24, expect([58]), let minutes = digits(2), minutes < 60 else { return nil }
            offsetMinutes = sign * (hours * 60 + minutes)
        }
        guard index == bytes.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offsetMinutes * 60
        return seconds * 1000 + fraction
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// Why a time in an import document is refused.
public struct ImportTimeError: Error, Sendable, Equatable {
    /// What is wrong with it.
    public var reason: String
}
