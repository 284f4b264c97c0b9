import StrataCore
/// Replaces secrets in configuration text before it leaves the agent.
///
/// A value is a secret when its key names one — `password`, `passwd`, `secret`, `token`, `api_key`,
/// `private_key`, `credential` by default (`config.redact_keys`, a POSIX extended regex, replaces the list) —
/// in any of `key = value`, `key: value`, `key value`, `key="value"` (XML attributes) — or when it is the
/// password of a URL (`scheme://user:PASSWORD@host`). It becomes `<redacted:1a2b3c4d>`: a keyed hash (the key
/// is random per agent and never sent), so a diff shows that a secret changed without showing it.
struct Redactor: Sendable {
    private let assignment: POSIXRegex
    private let urlPassword: POSIXRegex
    private let key: [UInt8]

    static let defaultKeys = "password|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|credential|requirepass|masterauth"

    init(keys: String = Redactor.defaultKeys, hashKey: [UInt8]) throws(ConfigurationError) {
        assignment = try POSIXRegex(
            "[A-Za-z0-9_.-]*(\(keys))[A-Za-z0-9_.-]*([[:space:]]*[=:][[:space:]]*|[[:space:]]+)(\"[^\"]*\"|'[^']*'|[^[:space:];,<>\"'=:][^[:space:];,<>\"']*)",
            caseInsensitive: true, capturing: true)
        urlPassword = try POSIXRegex("://[^/:@[:space:]]+:([^@/[:space:]]+)@", capturing: true)
        key = hashKey
    }

    /// `text` with every secret value replaced.
    func redact(_ text: String) -> String {
        var output = ""
        var first = true
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !first { output += "\n" }
            first = false
            output += redactLine(String(line))
        }
        return output
    }

    private func redactLine(_ line: String) -> String {
        var bytes = Array(line.utf8)
        guard !bytes.isEmpty else { return line }
        for (regex, group) in [(assignment, 3), (urlPassword, 1)] {
            var start = 0
            while start < bytes.count {
                var text = bytes.map { CChar(bitPattern: $0) }
                text.append(0)
                guard let match = regex.firstMatch(in: text, from: start, groups: group), let range = match[group], let whole = match[0] else { break }
                var value = range
                if let open = bytes[safe: value.lowerBound], open == UInt8(ascii: "\"") || open == UInt8(ascii: "'"), value.count >= 2 {
                    value = (value.lowerBound + 1)..<(value.upperBound - 1)
                }
                let secret = Array(bytes[value])
                if secret.starts(with: Array("<redacted:".utf8)) || secret.isEmpty {
                    start = max(whole.upperBound, start + 1)
                    continue
                }
                let replacement = Array("<redacted:\(fingerprint(secret))>".utf8)
                bytes.replaceSubrange(value, with: replacement)
                start = value.lowerBound + replacement.count
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func fingerprint(_ secret: [UInt8]) -> String { Hex.encode(Digest.hmacSHA256(key: key, secret).prefix(4)) }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
