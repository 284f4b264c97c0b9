/// Go's text for floating-point numbers, which Prometheus shows in queries it prints and in messages:
/// `%v` (shortest digits; `1e+06`, `0.005`, `1.23456789e+08`, `+Inf`, `NaN`) and `%.Nf` (exact decimal
/// expansion rounded half to even, so `9223372036854775808.000000` for 2^63).
enum GoFloat {
    /// `fmt.Sprint(x)`: the shortest digits that read back as `x`, in exponent form when the exponent is below
    /// -4 or at least 6 (Go's `%g` with shortest precision).
    static func shortest(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        let sign = x.sign == .minus ? "-" : ""
        if x == 0 { return sign + "0" }
        let (digits, point) = shortestDigits(abs(x))
        let exponent = point - 1
        if exponent < -4 || exponent >= 6 {
            var out = sign + String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let magnitude = String(abs(exponent))
            out += (exponent < 0 ? "e-" : "e+") + (magnitude.count < 2 ? "0" : "") + magnitude
            return out
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let split = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// `fmt.Sprintf("%.<decimals>f", x)`: the exact value of `x` rounded half to even at `decimals` places.
    static func fixed(_ x: Double, decimals: Int) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        let sign = x.sign == .minus ? "-" : ""
        // The exact decimal expansion: significand · 2^exponent = significand · 5^k / 10^k for k = -exponent.
        let magnitude = abs(x)
        var significand = BigDecimalDigits(0)
        var binaryExponent = 0
        if magnitude.isNormal {
            significand = BigDecimalDigits(UInt64(magnitude.significandBitPattern) | 1 << 52)
            binaryExponent = Int(magnitude.exponent) - 52
        } else if magnitude != 0 {  // subnormal: no implicit bit, the smallest exponent
            significand = BigDecimalDigits(UInt64(magnitude.significandBitPattern))
            binaryExponent = -1074
        }
        var fractionDigits = 0
        if binaryExponent >= 0 {
            for _ in 0..<binaryExponent { significand.multiply(by: 2) }
        } else {
            for _ in 0..<(-binaryExponent) { significand.multiply(by: 5) }
            fractionDigits = -binaryExponent
        }
        var digits = Array(significand.decimalString.utf8)
        if digits.count <= fractionDigits {
            digits = Array(repeating: UInt8(ascii: "0"), count: fractionDigits - digits.count + 1) + digits
        }
        // Round away the digits beyond `decimals`, half to even.
        if fractionDigits > decimals {
            let keep = digits.count - (fractionDigits - decimals)
            let dropped = digits[keep...]
            var roundUp = false
            if let first = dropped.first, first > UInt8(ascii: "5") { roundUp = true }
            if let first = dropped.first, first == UInt8(ascii: "5") {
                let rest = dropped.dropFirst().contains { $0 != UInt8(ascii: "0") }
                let previousOdd = keep > 0 && (digits[keep - 1] - UInt8(ascii: "0")) % 2 == 1
                roundUp = rest || previousOdd
            }
            digits.removeSubrange(keep...)
            if roundUp {
                var index = digits.count - 1
                while index >= 0 {
                    if digits[index] == UInt8(ascii: "9") { digits[index] = UInt8(ascii: "0"); index -= 1 } else {
                        digits[index] += 1
                        break
                    }
                }
                if index < 0 { digits.insert(UInt8(ascii: "1"), at: 0) }
            }
            fractionDigits = decimals
        }
        while fractionDigits < decimals { digits.append(UInt8(ascii: "0")); fractionDigits += 1 }
        let integerCount = digits.count - fractionDigits
        var integerPart = String(decoding: digits[..<integerCount], as: UTF8.self)
        while integerPart.count > 1, integerPart.hasPrefix("0") { integerPart.removeFirst() }
        if integerPart.isEmpty { integerPart = "0" }
        let fraction = String(decoding: digits[integerCount...], as: UTF8.self)
        return sign + integerPart + (decimals > 0 ? "." + fraction : "")
    }

    /// The shortest round-trip digits of a positive finite `x` (no leading or trailing zeros) and the position
    /// of the decimal point relative to them (`123.4` → ("1234", 3); `0.005` → ("5", -2)).
    static func digits(_ x: Double) -> (String, Int) { shortestDigits(x) }

    private static func shortestDigits(_ x: Double) -> (String, Int) {
        let text = x.description  // Swift prints the shortest round-trip digits, as Go's strconv does.
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var point = 0
        var seenPoint = false
        for character in mantissa {
            if character == "." { seenPoint = true; continue }
            digits.append(character)
            if !seenPoint { point += 1 }
        }
        while digits.hasPrefix("0") { digits.removeFirst(); point -= 1 }
        while digits.hasSuffix("0") { digits.removeLast() }
        return (digits, point + exponent)
    }
}

/// A non-negative integer as base-10⁹ limbs, just enough to expand a double exactly.
private struct BigDecimalDigits {
    private var limbs: [UInt32]  // least significant first, each < 10⁹

    init(_ value: UInt64) {
        limbs = []
        var rest = value
        repeat {
            limbs.append(UInt32(rest % 1_000_000_000))
            rest /= 1_000_000_000
        } while rest > 0
    }

    mutating func multiply(by factor: UInt32) {
        var carry: UInt64 = 0
        for index in limbs.indices {
            let product = UInt64(limbs[index]) * UInt64(factor) + carry
            limbs[index] = UInt32(product % 1_000_000_000)
            carry = product / 1_000_000_000
        }
        if carry > 0 { limbs.append(UInt32(carry)) }
    }

    var decimalString: String {
        var out = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let text = String(limb)
            out += String(repeating: "0", count: 9 - text.count) + text
        }
        return out
    }
}
