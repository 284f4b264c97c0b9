/// Validation of metric and label names against Prometheus' rules.
public enum MetricName {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    public static func isValid(_ name: String) -> Bool {
        check(name, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`
    public static func isValidLabel(_ name: String) -> Bool {
        check(name, allowColon: false)
    }

    private static func check(_ name: String, allowColon: Bool) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 256 else { return false }
        for (index, byte) in name.utf8.enumerated() {
            let letter = (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || byte == 0x5f
            let digit = byte >= 0x30 && byte <= 0x39
            let colon = allowColon && byte == 0x3a
            if !(letter || colon || (digit && index > 0)) { return false }
        }
        return true
    }
}
