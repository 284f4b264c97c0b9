#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Numbers and durations as the explanations print them.
enum Wording {
    /// 1.3 G, 450 M, 12 k, 0.42: three significant digits with an SI prefix; bytes with "B".
    static func amount(_ value: Double, bytes: Bool = false) -> String {
        guard value.isFinite else { return "\(value)" }
        let magnitude = abs(value)
        let units: [(Double, String)] = [(1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")]
        for (size, prefix) in units where magnitude >= size {
            return significant(value / size) + prefix + (bytes ? "B" : "")
        }
        return significant(value) + (bytes ? " B" : "")
    }

    /// Up to three significant digits.
    static func significant(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2
        let scale = pow(10.0, Double(decimals))
        let rounded = (value * scale).rounded() / scale
        var text = decimals == 0 ? String(Int64(rounded)) : String(rounded)
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// "3 d 4 h", "2 h", "15 min", "40 s".
    static func duration(_ ms: Int64) -> String {
        let seconds = Double(ms.magnitude) / 1000
        if seconds >= 86_400 {
            let days = Int(seconds / 86_400), hours = Int(seconds.truncatingRemainder(dividingBy: 86_400) / 3_600)
            return hours > 0 ? "\(days) d \(hours) h" : "\(days) d"
        }
        if seconds >= 3_600 { return "\(significant(seconds / 3_600)) h" }
        if seconds >= 60 { return "\(Int(seconds / 60)) min" }
        return "\(Int(seconds)) s"
    }

    /// "2 h before", "at the same time as", "15 min after".
    static func relative(_ leadMs: Int64) -> String {
        if leadMs.magnitude < 60_000 { return "at the same time as" }
        return leadMs > 0 ? "\(duration(leadMs)) before" : "\(duration(leadMs)) after"
    }
}
