#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the timestamps log lines open with, byte by byte, without Foundation.
struct TimeScanner {
    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    /// Seconds since the epoch as if the fields were UTC, and milliseconds.
    typealias Time = (seconds: Int64, milliseconds: Int64)

    mutating func skipByte(_ byte: UInt8) { if peek() == byte { index += 1 } }

    /// Skips `<…>` (a syslog priority) when the line opens with `open`.
    mutating func skip(_ open: Character, through close: Character) {
        guard peek() == open.asciiValue else { return }
        var probe = index
        while probe < bytes.endIndex, probe - index < 6 {
            if bytes[probe] == close.asciiValue { index = probe + 1; return }
            probe += 1
        }
    }

    /// `2026-11-22T13:00:00.123`, `2026-11-22 13:00:00,123`, `2026/11/22 13:00:00`.
    mutating func isoDateTime() -> Time? {
        let start = index
        guard let year = number(4), let separator = peek(), separator == UInt8(ascii: "-") || separator == UInt8(ascii: "/"),
              take(separator), let month = number(2), take(separator), let day = number(2),
              take(UInt8(ascii: "T")) || take(UInt8(ascii: " ")), let clock = clock() else {
            index = start
            return nil
        }
        return Self.civil(year: year, month: month, day: day, clock: clock)
    }

    /// `22-Nov-2026 13:00:00.123` (Tomcat's default).
    mutating func javaDateTime() -> Time? {
        let start = index
        guard let day = number(2), take(UInt8(ascii: "-")), let month = monthName(), take(UInt8(ascii: "-")),
              let year = number(4), take(UInt8(ascii: " ")), let clock = clock() else {
            index = start
            return nil
        }
        return Self.civil(year: year, month: month, day: day, clock: clock)
    }

    /// `Sun Nov 22 13:00:00.123456 2026` (Apache's error log).
    mutating func apacheDateTime() -> Time? {
        let start = index
        guard letters(3), take(UInt8(ascii: " ")), let month = monthName(), take(UInt8(ascii: " ")), let day = paddedDay(),
              take(UInt8(ascii: " ")), let clock = clock(), take(UInt8(ascii: " ")), let year = number(4) else {
            index = start
            return nil
        }
        return Self.civil(year: year, month: month, day: day, clock: clock)
    }

    /// `Nov 22 13:00:00` (classic syslog): the year is this one, or the last when that would lie in the future.
    mutating func syslogDateTime() -> Time? {
        let start = index
        guard let month = monthName(), take(UInt8(ascii: " ")), let day = paddedDay(), take(UInt8(ascii: " ")),
              let clock = clock() else {
            index = start
            return nil
        }
        var now = Glibc.time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let year = Int64(parts.tm_year) + 1900
        let guess = Self.civil(year: year, month: month, day: day, clock: clock)
        return guess.seconds > Int64(now) + 86_400 ? Self.civil(year: year - 1, month: month, day: day, clock: clock) : guess
    }

    /// A zone after the time: `Z`, `+01:00`, `-0500`, ` UTC`, ` GMT`, as seconds east of UTC; nil when absent.
    mutating func zoneOffset() -> Int64? {
        if take(UInt8(ascii: "Z")) { return 0 }
        if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            let start = index
            index += 1
            guard let hours = number(2) else { index = start; return nil }
            _ = take(UInt8(ascii: ":"))
            let minutes = number(2) ?? 0
            let offset = hours * 3600 + minutes * 60
            return sign == UInt8(ascii: "+") ? offset : -offset
        }
        let start = index
        if take(UInt8(ascii: " ")), (letters("UTC") || letters("GMT")) { return 0 }
        index = start
        return nil
    }

    // MARK: - Pieces

    private mutating func clock() -> (hour: Int64, minute: Int64, second: Int64, milliseconds: Int64)? {
        guard let hour = number(2), take(UInt8(ascii: ":")), let minute = number(2), take(UInt8(ascii: ":")),
              let second = number(2), hour < 24, minute < 60, second < 61 else { return nil }
        var milliseconds: Int64 = 0
        if take(UInt8(ascii: ".")) || take(UInt8(ascii: ",")) {
            var digits = 0
            while let byte = peek(), byte >= 0x30, byte <= 0x39 {
                if digits < 3 { milliseconds = milliseconds * 10 + Int64(byte - 0x30) }
                digits += 1
                index += 1
            }
            while digits < 3 { milliseconds *= 10; digits += 1 }
        }
        return (hour, minute, second, milliseconds)
    }

    private mutating func paddedDay() -> Int64? {
        if take(UInt8(ascii: " ")) { return number(1) }
        return number(2) ?? number(1)
    }

    private mutating func monthName() -> Int64? {
        guard index + 3 <= bytes.endIndex else { return nil }
        let packed = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
        guard let month = Self.months.firstIndex(of: packed) else { return nil }
        index += 3
        return Int64(month + 1)
    }

    /// `Jan` … `Dec`, three bytes packed.
    private static let months: [UInt32] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map {
        $0.utf8.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private mutating func letters(_ count: Int) -> Bool {
        guard index + count <= bytes.endIndex,
              bytes[index..<index + count].allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else { return false }
        index += count
        return true
    }

    private mutating func letters(_ word: String) -> Bool {
        let utf8 = Array(word.utf8)
        guard index + utf8.count <= bytes.endIndex, bytes[index..<index + utf8.count].elementsEqual(utf8) else { return false }
        index += utf8.count
        return true
    }

    private mutating func number(_ digits: Int) -> Int64? {
        guard index + digits <= bytes.endIndex else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + digits] {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        index += digits
        return value
    }

    private func peek() -> UInt8? { index < bytes.endIndex ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private static func civil(year: Int64, month: Int64, day: Int64,
                             clock: (hour: Int64, minute: Int64, second: Int64, milliseconds: Int64)) -> Time {
        (daysFromCivil(year: year, month: month, day: day) * 86_400 + clock.hour * 3600 + clock.minute * 60 + clock.second,
         clock.milliseconds)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
