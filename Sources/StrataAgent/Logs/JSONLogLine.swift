import StrataCore

/// Reads the level and time of a JSON log line (one object per line) without building the object: a
/// top-level scan that decodes only the string and number values of the keys it wants.
enum JSONLogLine {
    static let levelKeys: Set<String> = ["level", "severity", "lvl", "loglevel", "log.level"]
    static let timeKeys: Set<String> = ["time", "timestamp", "ts", "@timestamp", "date"]

    static func parse(_ line: ArraySlice<UInt8>, localOffset: Int64) -> ParsedLine {
        var parsed = ParsedLine(startsRecord: true)
        var index = line.startIndex
        func skipSpace() { while index < line.endIndex, line[index] == 0x20 || line[index] == 0x09 { index += 1 } }
        skipSpace()
        guard index < line.endIndex, line[index] == UInt8(ascii: "{") else {
            parsed.severity = LogLineParser.severityFromWords(line)
            return parsed
        }
        index += 1
        while index < line.endIndex {
            skipSpace()
            guard index < line.endIndex, line[index] == UInt8(ascii: "\"") , let key = string(line, &index) else { break }
            skipSpace()
            guard index < line.endIndex, line[index] == UInt8(ascii: ":") else { break }
            index += 1
            skipSpace()
            guard index < line.endIndex else { break }
            let wanted = levelKeys.contains(key) || timeKeys.contains(key)
            if line[index] == UInt8(ascii: "\"") {
                guard let value = string(line, &index) else { break }
                if levelKeys.contains(key) {
                    parsed.severity = EventSeverity(name: value) ?? LogLineParser.levelWord(ArraySlice(value.utf8))
                } else if wanted, parsed.timeMs == nil {
                    parsed.timeMs = LogLineParser(format: .plain, localOffsetSeconds: localOffset).timestamp(ArraySlice(value.utf8))
                }
            } else if wanted, let number = number(line, &index) {
                if levelKeys.contains(key) {
                    // Numeric levels as bunyan/pino write them: 30 info, 40 warn, 50 error, 60 fatal.
                    parsed.severity = number >= 60 ? .critical : number >= 50 ? .error : number >= 40 ? .warning : .info
                } else if parsed.timeMs == nil, number.isFinite, number >= 0, number < 1e17 {
                    // Seconds, milliseconds or microseconds since the epoch, told apart by size (others are not times;
                    // converting them would trap).
                    parsed.timeMs = number > 1e14 ? Int64(number / 1000) : number > 1e11 ? Int64(number) : Int64(number * 1000)
                }
            } else if !skipValue(line, &index) {
                break
            }
            skipSpace()
            guard index < line.endIndex, line[index] == UInt8(ascii: ",") else { break }
            index += 1
        }
        return parsed
    }

    /// Decodes the string starting at `index` (on its quote); leaves `index` after the closing quote.
    static func string(_ line: ArraySlice<UInt8>, _ index: inout Int) -> String? {
        index += 1
        var bytes: [UInt8] = []
        while index < line.endIndex {
            let byte = line[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < line.endIndex else { return nil }
                let escaped = line[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"): index = min(line.endIndex, index + 4); bytes.append(UInt8(ascii: "?"))
                default: bytes.append(escaped)
                }
            default: bytes.append(byte)
            }
        }
        return nil
    }

    static func number(_ line: ArraySlice<UInt8>, _ index: inout Int) -> Double? {
        let start = index
        while index < line.endIndex, "+-.eE0123456789".utf8.contains(line[index]) { index += 1 }
        return Double(String(decoding: line[start..<index], as: UTF8.self))
    }

    /// Skips a number, literal, object or array (brackets counted, strings respected).
    static func skipValue(_ line: ArraySlice<UInt8>, _ index: inout Int) -> Bool {
        var depth = 0
        while index < line.endIndex {
            let byte = line[index]
            switch byte {
            case UInt8(ascii: "\""): guard string(line, &index) != nil else { return false }; continue
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
            case UInt8(ascii: ","): if depth == 0 { return true }
            default: break
            }
            index += 1
        }
        return depth == 0
    }
}
