/// `PromFloatText`'s sample values and timestamps appended to a UTF-8 byte buffer, without building strings: a range
/// answer holds hundreds of thousands of points, and formatting them as strings took half of its time. The text is
/// the same as `PromFloatText.sampleValue` and `PromFloatText.timestamp` give (checked value by value in the tests).
extension PromFloatText {
    /// Bytes `writeUsualSampleValue` may write.
    public static let usualSampleValueBytes = 32

    /// `sampleValue(x)` appended to `out`.
    public static func appendSampleValue(_ x: Double, to out: inout [UInt8]) {
        let written = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: usualSampleValueBytes) { buffer -> Bool in
            guard let count = writeUsualSampleValue(x, to: buffer.baseAddress!) else { return false }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
            return true
        }
        if written { return }
        if x.isNaN { return out.append(contentsOf: "NaN".utf8) }
        if x.isInfinite { return out.append(contentsOf: (x > 0 ? "+Inf" : "-Inf").utf8) }
        let magnitude = abs(x)
        if x.sign == .minus { out.append(UInt8(ascii: "-")) }
        // Below 10^15, Swift's shortest text without an exponent is Go's `'f', -1` text of the same digits (whole
        // numbers, where Swift adds ".0", are usual values); only exponent forms need rewriting.
        var text = magnitude.description
        let copied = magnitude < 1e15 && text.withUTF8 { bytes in
            guard !bytes.contains(UInt8(ascii: "e")) else { return false }
            out.append(contentsOf: bytes)
            return true
        }
        if copied { return }
        let (digits, count, point) = shortestDecimal(magnitude)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            // 'e' form: d.ddde±XX.
            let tail = pow10(count - 1)
            appendDigits(digits / tail, width: 1, to: &out)
            if count > 1 {
                out.append(UInt8(ascii: "."))
                appendDigits(digits % tail, width: count - 1, to: &out)
            }
            let exponent = point - 1
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
            let size = UInt64(abs(exponent))
            appendDigits(size, width: max(2, decimalWidth(size)), to: &out)
        } else if point <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -point))
            appendDigits(digits, width: count, to: &out)
        } else if point >= count {
            appendDigits(digits, width: count, to: &out)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: point - count))
        } else {
            let tail = pow10(count - point)
            appendDigits(digits / tail, width: point, to: &out)
            out.append(UInt8(ascii: "."))
            appendDigits(digits % tail, width: count - point, to: &out)
        }
    }

    /// `sampleValue(x)` written at `start` (room for `usualSampleValueBytes`) for the values most metrics hold,
    /// without formatting a string: zero, whole numbers below 10^15, and from 10^-6 on numbers of at most 9 decimals
    /// and 15 digits. For those, with `k` the smallest count of decimals such that `n = (|x| × 10^k).rounded()` gives
    /// back `|x|` as `n / 10^k`, the digits of `n` with `k` decimals are the shortest text that reads back as `x` (no
    /// other decimal of at most 15 digits maps to the same double, and a shorter one would have matched a smaller
    /// `k`). Returns the bytes written, or nil for any other value (a sign may have been written then; it is not
    /// part of any answer).
    public static func writeUsualSampleValue(_ x: Double, to start: UnsafeMutablePointer<UInt8>) -> Int? {
        guard x.isFinite else { return nil }
        let magnitude = abs(x)
        guard magnitude < 1e15 else { return nil }
        var cursor = start
        if x.sign == .minus {
            cursor.pointee = UInt8(ascii: "-")
            cursor += 1
        }
        if magnitude == 0 {
            cursor.pointee = UInt8(ascii: "0")
            return cursor + 1 - start
        }
        // Whole numbers below 10^15 are written as integers by both forms.
        if magnitude >= 1, magnitude.rounded(.towardZero) == magnitude {
            let whole = UInt64(magnitude)
            return cursor + writeDigits(whole, width: decimalWidth(whole), to: cursor) - start
        }
        guard magnitude >= 1e-6 else { return nil }
        var scale = 1.0
        for decimals in 1...9 {
            scale *= 10
            let scaled = (magnitude * scale).rounded()
            guard scaled < 1e15 else { return nil }
            guard scaled / scale == magnitude else { continue }
            let digits = UInt64(scaled)
            guard digits % 10 != 0 else { return nil }
            let tail = pow10(decimals)
            cursor += writeDigits(digits / tail, width: decimalWidth(digits / tail), to: cursor)
            cursor.pointee = UInt8(ascii: ".")
            cursor += 1
            return cursor + writeDigits(digits % tail, width: decimals, to: cursor) - start
        }
        return nil
    }

    /// `value` as exactly `width` decimal digits (zero-padded on the left) written at `start`; `width`.
    private static func writeDigits(_ value: UInt64, width: Int, to start: UnsafeMutablePointer<UInt8>) -> Int {
        var rest = value
        for index in stride(from: width - 1, through: 0, by: -1) {
            start[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
        return width
    }

    /// `timestamp(ms)` appended to `out`: seconds, and the milliseconds after a point when there are any.
    public static func appendTimestamp(_ ms: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 26) { text in
            var end = text.count
            var magnitude = ms.magnitude
            let fraction = magnitude % 1000
            magnitude /= 1000
            if fraction != 0 {
                var rest = fraction
                for _ in 0..<3 {
                    end -= 1
                    text[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                end -= 1
                text[end] = UInt8(ascii: ".")
            }
            repeat {
                end -= 1
                text[end] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if ms < 0 {
                end -= 1
                text[end] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[end...]))
        }
    }

    /// The shortest round-trip digits of a positive finite `x` as one integer without leading or trailing zeros,
    /// their number, and the decimal point's position relative to them (`123.4` → (1234, 4, 3); `0.005` → (5, 1, -2)),
    /// read from Swift's shortest text as `GoFloat.digits` reads it.
    static func shortestDecimal(_ x: Double) -> (digits: UInt64, count: Int, point: Int) {
        var text = x.description
        return text.withUTF8 { bytes in
            var digits: UInt64 = 0, count = 0, point = 0, exponent = 0
            var seenPoint = false, significant = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == UInt8(ascii: ".") {
                    seenPoint = true
                } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                    var negative = false
                    if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                        negative = bytes[index] == UInt8(ascii: "-")
                        index += 1
                    }
                    while index < bytes.count { exponent = exponent * 10 + Int(bytes[index] &- 48); index += 1 }
                    if negative { exponent = -exponent }
                } else if byte == UInt8(ascii: "0") && !significant {
                    if seenPoint { point -= 1 }  // a leading zero: moves the point only after it
                } else {
                    significant = true
                    if count < 19 {  // Swift writes at most 17 significant digits
                        digits = digits &* 10 &+ UInt64(byte &- 48)
                        count += 1
                    }
                    if !seenPoint { point += 1 }
                }
            }
            while count > 1, digits % 10 == 0 { digits /= 10; count -= 1 }
            return (digits, count, point + exponent)
        }
    }

    /// The number of decimal digits of `value` (1 for 0).
    static func decimalWidth(_ value: UInt64) -> Int {
        var width = 1
        var rest = value
        while rest >= 10 { rest /= 10; width += 1 }
        return width
    }

    /// 10^`exponent` for 0...19.
    static func pow10(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<exponent { result &*= 10 }
        return result
    }

    /// `value` as exactly `width` decimal digits (zero-padded on the left, its high digits cut when it has more)
    /// appended to `out`.
    static func appendDigits(_ value: UInt64, width: Int, to out: inout [UInt8]) {
        guard width > 0 else { return }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: width) { digits in
            _ = writeDigits(value, width: width, to: digits.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(digits))
        }
    }
}
