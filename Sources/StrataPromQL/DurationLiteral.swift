/// Durations as PromQL writes them (`1h30m`, `5m`, `1y`, `2w`, `100ms`): Prometheus's `model.Duration`, a
/// year being 365 days, a week 7 days, a day 24 hours; units from largest to smallest, each at most once.
enum DurationLiteral {
    private static let units: [(name: String, milliseconds: Int64)] = [
        ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Milliseconds for a duration token, or Go's message: "not a valid duration string", "duration out of
    /// range" (beyond what Go's nanosecond `time.Duration` holds, about 292 years) or "duration must be
    /// greater than 0".
    static func milliseconds(_ text: String) -> Result<Int64, LiteralError> {
        if text == "0" { return .failure(LiteralError("duration must be greater than 0")) }
        if text.isEmpty { return .failure(LiteralError("empty duration string")) }
        let bytes = Array(text.utf8)
        var index = 0
        var nextUnit = 0
        var nanoseconds: Int64 = 0
        var outOfRange = false
        let invalid = LiteralError("not a valid duration string: \(GoQuote.string(text))")
        while index < bytes.count {
            let digitsStart = index
            var count: Int64 = 0
            var countOverflow = false
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                let (shifted, o1) = count.multipliedReportingOverflow(by: 10)
                let (added, o2) = shifted.addingReportingOverflow(Int64(bytes[index] - 0x30))
                if o1 || o2 { countOverflow = true }
                count = added
                index += 1
            }
            guard index > digitsStart, index < bytes.count else { return .failure(invalid) }
            var unit = String(UnicodeScalar(bytes[index]))
            index += 1
            if unit == "m", index < bytes.count, bytes[index] == UInt8(ascii: "s") {
                unit = "ms"
                index += 1
            }
            guard let position = units[nextUnit...].firstIndex(where: { $0.name == unit }) else { return .failure(invalid) }
            nextUnit = position + 1
            let (product, o3) = count.multipliedReportingOverflow(by: units[position].milliseconds)
            let (inNanoseconds, o4) = product.multipliedReportingOverflow(by: 1_000_000)
            let (sum, o5) = nanoseconds.addingReportingOverflow(inNanoseconds)
            if countOverflow || o3 || o4 || o5 { outOfRange = true }
            nanoseconds = sum
        }
        if outOfRange { return .failure(LiteralError("duration out of range")) }
        if nanoseconds == 0 { return .failure(LiteralError("duration must be greater than 0")) }
        return .success(nanoseconds / 1_000_000)
    }

    /// The text Prometheus prints for a duration (`model.Duration.String()`): years and weeks only when they
    /// divide it exactly, then days, hours, minutes, seconds, milliseconds; `0s` for zero.
    static func format(_ milliseconds: Int64) -> String {
        guard milliseconds != 0 else { return "0s" }
        var rest = milliseconds
        var out = ""
        for (index, unit) in units.enumerated() {
            if index < 2, rest % unit.milliseconds != 0 { continue }
            let count = rest / unit.milliseconds
            if count > 0 {
                out += "\(count)\(unit.name)"
                rest -= count * unit.milliseconds
            }
        }
        return out
    }
}
