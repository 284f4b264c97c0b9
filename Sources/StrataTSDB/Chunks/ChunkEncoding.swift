/// How a chunk's values are encoded (`docs/format/chunks.md`).
public enum ChunkEncoding: UInt8, Sendable {
    /// Gorilla XOR of Float64 bit patterns: exact for every value, NaN payloads included.
    case xor = 1
    /// Values that are decimals with at most `exponent` fractional digits (or integers), stored as the
    /// integer `value × 10^exponent` with adaptive-width zig-zag deltas.
    case decimal = 2
    /// Decimals at one exponent with fixed-width deltas, and regular timestamps stored once: written only for a
    /// block's chunks, whose samples are all known (`PackedChunk`).
    case packed = 3
}

/// Decimal detection: the smallest exponent `e` (0...9) such that `value × 10^e` is an integer `m` below
/// 2^53 in magnitude and `Double(m) / 10^e` gives back exactly the same bit pattern.
enum Decimal {
    static let powers: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
    static let limit = Double(1 << 53)

    /// The exponent and scaled integer of `value`, or nil when no exponent up to 9 represents it exactly
    /// (NaN, ±Inf, -0, too many digits, too large).
    static func scaled(_ value: Double, minimumExponent: Int = 0) -> (exponent: Int, mantissa: Int64)? {
        guard value.isFinite, !(value == 0 && value.sign == .minus) else { return nil }
        for exponent in minimumExponent..<powers.count {
            if let mantissa = mantissa(value, exponent: exponent) { return (exponent, mantissa) }
        }
        return nil
    }

    /// `value × 10^exponent` if that is an exact integer which decodes back to `value` bit for bit.
    @inline(__always)
    static func mantissa(_ value: Double, exponent: Int) -> Int64? {
        let scaled = (value * powers[exponent]).rounded()
        guard abs(scaled) < limit else { return nil }
        let candidate = Int64(scaled)
        guard decode(candidate, exponent: exponent).bitPattern == value.bitPattern else { return nil }
        return candidate
    }

    /// The value of mantissa `m` at `exponent`.
    @inline(__always)
    static func decode(_ mantissa: Int64, exponent: Int) -> Double {
        exponent == 0 ? Double(mantissa) : Double(mantissa) / powers[exponent]
    }
}

@inline(__always)
func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }

@inline(__always)
func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1))) }

@inline(__always)
func bitWidth(_ value: UInt64) -> Int { 64 - value.leadingZeroBitCount }
