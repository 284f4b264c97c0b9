#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A POSIX extended regular expression (`regcomp`/`regexec`): the C library's engine, fast enough for
/// every log line and free of Foundation. The compiled pattern lives as long as the value.
final class POSIXRegex: @unchecked Sendable {
    // Sendable: `regexec` on a compiled pattern is thread-safe in glibc and musl; the pattern is never changed.
    private var compiled = regex_t()
    /// The pattern as written.
    let pattern: String

    /// Compiles `pattern` (extended syntax, case-insensitive when asked); throws a message naming the pattern.
    init(_ pattern: String, caseInsensitive: Bool = false, capturing: Bool = false) throws(ConfigurationError) {
        self.pattern = pattern
        let flags = REG_EXTENDED | (caseInsensitive ? REG_ICASE : 0) | (capturing ? 0 : REG_NOSUB)
        let status = regcomp(&compiled, pattern, flags)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(status, &compiled, &message, message.count)
            throw ConfigurationError("regular expression \"\(pattern)\" does not compile: \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    deinit { regfree(&compiled) }

    /// Whether the pattern matches somewhere in `bytes` (NUL bytes end the text, as in C).
    func matches(_ bytes: ArraySlice<UInt8>) -> Bool {
        var text = Array(bytes)
        text.append(0)
        return text.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { regexec(&compiled, $0.baseAddress!, 0, nil, 0) == 0 }
        }
    }

    /// The byte ranges of the whole match and of each group of the first match at or after `start`, or nil.
    func firstMatch(in text: [CChar], from start: Int, groups: Int) -> [Range<Int>?]? {
        var matches = [regmatch_t](repeating: regmatch_t(), count: groups + 1)
        let status = text.withUnsafeBufferPointer { buffer in
            regexec(&compiled, buffer.baseAddress! + start, matches.count, &matches, start > 0 ? REG_NOTBOL : 0)
        }
        guard status == 0 else { return nil }
        return matches.map { $0.rm_so < 0 ? nil : (start + Int($0.rm_so))..<(start + Int($0.rm_eo)) }
    }
}

/// A setting the agent cannot use, with what to change.
struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
