/// Numbers written as Prometheus writes them in its API answers and labels — Go's `strconv.FormatFloat` with the
/// shortest digits that read back as the same double.
public enum PromFloatText {
    /// `strconv.FormatFloat(x, 'f', -1, 64)`: no exponent ever (`1e300` becomes 301 digits), `NaN`, `+Inf`,
    /// `-Inf`. What `count_values` writes into its label.
    public static func fixed(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        let sign = x.sign == .minus ? "-" : ""
        if x == 0 { return sign + "0" }
        let (digits, point) = GoFloat.digits(abs(x))
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// `strconv.FormatFloat(x, 'e', -1, 64)`: `1e+300`, `1.5e-07` (two exponent digits at least).
    public static func exponent(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        let sign = x.sign == .minus ? "-" : ""
        if x == 0 { return sign + "0e+00" }
        let (digits, point) = GoFloat.digits(abs(x))
        var out = sign + String(digits.first!)
        if digits.count > 1 { out += "." + digits.dropFirst() }
        let exponent = point - 1
        let magnitude = String(abs(exponent))
        return out + (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
    }

    /// A sample value in a query answer (Prometheus's `jsonutil.MarshalValue`): `fixed` form, but the exponent form
    /// below 1e-6 and from 1e21 on (`"1e+21"`, `"1e-07"`).
    public static func sampleValue(_ x: Double) -> String {
        let magnitude = abs(x)
        if magnitude != 0, magnitude < 1e-6 || magnitude >= 1e21, !x.isNaN, !x.isInfinite { return exponent(x) }
        return fixed(x)
    }

    /// `fmt.Sprint(x)` (Go's `%v`): `1e+06`, `0.005`, `+Inf`, `NaN`; how Prometheus words numbers in messages.
    public static func shortest(_ x: Double) -> String { GoFloat.shortest(x) }

    /// A timestamp in ms as Prometheus writes it in answers: Unix seconds with up to three decimals
    /// (`1435781451.781`, `1435781451.78` is written `1435781451.780`, whole seconds without a point).
    public static func timestamp(_ ms: Int64) -> String {
        let negative = ms < 0
        let magnitude = ms.magnitude
        var text = (negative ? "-" : "") + String(magnitude / 1000)
        let fraction = magnitude % 1000
        if fraction != 0 {
            text += "." + (fraction < 100 ? "0" : "") + (fraction < 10 ? "0" : "") + String(fraction)
        }
        return text
    }
}

extension PromFloatText {
    /// `fmt.Sprintf("%f", x)`: six decimals, rounded half to even on the exact value (`1.500000`).
    public static func sixDecimals(_ x: Double) -> String { GoFloat.fixed(x, decimals: 6) }
}

/// Strings as Go's `strconv.Quote` writes them, for messages worded as Prometheus words them.
public enum PromQuoted {
    /// `strconv.Quote(text)`: double-quoted, with Go's escapes.
    public static func quote(_ text: String) -> String { GoQuote.string(text) }
}

extension PromFloatText {
    /// `fmt.Sprintf("%.<decimals>f", x)`, as templates' `printf` writes it.
    public static func fixed(_ x: Double, decimals: Int) -> String { GoFloat.fixed(x, decimals: max(0, min(decimals, 64))) }
}

/// Durations as Prometheus's configuration and rule files write them (`model.ParseDuration`): `1h30m`, `5m`, `0s`.
public enum PromDuration {
    /// Milliseconds, or nil when `text` is not a duration (zero is allowed, unlike in PromQL).
    public static func milliseconds(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        switch DurationLiteral.milliseconds(text) {
        case .success(let ms): return ms
        case .failure(let error): return error.message == "duration must be greater than 0" ? 0 : nil
        }
    }

    /// How Prometheus prints a duration (`model.Duration.String()`): `1h30m`, `0s`.
    public static func format(_ milliseconds: Int64) -> String { DurationLiteral.format(milliseconds) }
}
