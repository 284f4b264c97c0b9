import Foundation
import StrataPromQL
import Testing

/// The byte writers of answers (`appendSampleValue`, `appendTimestamp`) write exactly the text of
/// `PromFloatText.sampleValue` and `PromFloatText.timestamp`.
struct PromFloatBytesTests {
    static func bytes(_ x: Double) -> String {
        var out: [UInt8] = []
        PromFloatText.appendSampleValue(x, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func sampleValuesAreWrittenAsTheirText() {
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 0.5, 1.5, 100, 1e15, 1e15 + 1, 1e16, 123_456_789_012_345, 1e20, 1e21,
                                1e-6, 1e-7, 9.99e-7, 1.2345e-5, 0.000123, 1e300, -1e300, 5e-324, 2.2250738585072014e-308,
                                .greatestFiniteMagnitude, 4096 * 64, 0.01, 1234.56, 9_007_199_254_740_993, 1 / 3.0,
                                1_125_899_906_842_624.5, 999_999_999_999_999.9, 0.0001, 0.00012345, 0.5e-4,
                                .nan, .infinity, -.infinity]
        var bits: UInt64 = 42
        for _ in 0..<20_000 {
            bits = bits &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407  // Knuth's MMIX generator
            let x = Double(bitPattern: bits)
            if x.isFinite { values.append(x) }
            values.append(Double(bits % 100_000_000) / 100)  // node_exporter-like values with two decimals
            values.append(Double(bits % 1_000_000_000))
            // 1 to 12 decimals at every magnitude, near the 15-digit and 1e-6 limits of the few-decimals path
            let decimals = Int(bits >> 60) % 12 + 1
            let digits = Double((bits >> 8) % [10, 1_000, 1_000_000, 1_000_000_000_000, 999_999_999_999_999, 10_000_000_000_000_000][Int(bits >> 40) % 6])
            values.append(digits / pow(10, Double(decimals)))
            values.append(-digits / pow(10, Double(decimals)))
            values.append(Double(bits >> 11) / Double(1 << 53) * pow(10, Double(Int(bits >> 56) % 24 - 8)))
        }
        for x in values {
            #expect(Self.bytes(x) == PromFloatText.sampleValue(x), "value \(x)")
        }
    }

    @Test func timestampsAreWrittenAsTheirText() {
        for ms: Int64 in [0, 1, 7_000, 1_500, -1_050, 1_435_781_451_781, 1_435_781_451_780, -5, .max, .min + 1] {
            var out: [UInt8] = []
            PromFloatText.appendTimestamp(ms, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == PromFloatText.timestamp(ms))
        }
    }
}
