/// Numbers as people read them in tables (no Foundation: StrataCore is part of the lean agent).
public enum NumberText {
    /// 6 significant digits (0.12199999999997999 → 0.122), whole numbers above a million (1521160000.7 →
    /// 1521160001) so a column of byte counts reads alike, integers as such, exponents only below 1e-4 and from
    /// 1e15 (shortest form); NaN and ±Inf as Prometheus writes them.
    public static func human(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let magnitude = abs(value)
        guard magnitude >= 1e-4, magnitude < 1e15 else { return "\(value)" }
        var integerDigits = 1
        var bound = 10.0
        while magnitude >= bound, integerDigits < 16 { integerDigits += 1; bound *= 10 }
        let decimals = max(0, 6 - integerDigits)
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        // |scaled| < 10^6 · 10 here (or < 10^15 when decimals is 0): no overflow.
        let scaled = Int64((value * Double(scale)).rounded())
        guard decimals > 0 else { return String(scaled) }
        let whole = scaled / scale
        var fraction = String(abs(scaled % scale))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = scaled < 0 && whole == 0 ? "-" : ""
        return fraction.isEmpty ? sign + String(whole) : sign + String(whole) + "." + fraction
    }
}
