#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// The log formats the agent parses for a record's start, time and severity.
enum LogFormat: String, Sendable, CaseIterable {
    /// One record per line; indented lines continue the previous one; severity from words in the text.
    case plain
    /// `Nov 22 13:00:00 host prog[pid]: …` or RFC 3339 timestamps; severity from words in the text.
    case syslog
    /// Apache error log: `[Sun Nov 22 13:00:00.123456 2026] [core:error] [pid 1] …`.
    case apache
    /// nginx error log: `2026/11/22 13:00:00 [error] 1#1: …`.
    case nginx
    /// Tomcat / java.util.logging / log4j / logback: a record starts with a timestamp; stack traces join it.
    case java
    /// MariaDB / MySQL error log: `2026-11-22 13:00:00 0 [Warning] …`.
    case mysql
    /// PostgreSQL: `2026-11-22 13:00:00.123 UTC [123] ERROR:  …`; DETAIL/HINT/STATEMENT/CONTEXT lines join.
    case postgres
    /// One JSON object per line with `level`/`severity`, `time`/`timestamp`/`ts`, `msg`/`message`.
    case json

    /// The format a server type's logs are written in.
    static func forServer(type: String) -> LogFormat {
        switch type {
        case "apache": .apache
        case "nginx": .nginx
        case "tomcat": .java
        case "mysql", "mariadb": .mysql
        case "postgresql", "postgres": .postgres
        default: .plain
        }
    }
}

/// What the parser found in one line.
struct ParsedLine: Equatable {
    /// Whether the line begins a new record (else it continues the previous one).
    var startsRecord: Bool
    /// The record's own time, Unix ms.
    var timeMs: Int64?
    /// The record's own severity.
    var severity: EventSeverity?
}

/// Parses lines of one format. Works on bytes: only kept records become strings.
struct LogLineParser: Sendable {
    let format: LogFormat
    /// Seconds east of UTC of local time, for timestamps without a zone.
    let localOffsetSeconds: Int64

    init(format: LogFormat, localOffsetSeconds: Int64 = LogLineParser.currentLocalOffset()) {
        self.format = format
        self.localOffsetSeconds = localOffsetSeconds
    }

    func parse(_ line: ArraySlice<UInt8>) -> ParsedLine {
        guard let first = line.first else { return ParsedLine(startsRecord: false) }
        let indented = first == 0x20 || first == 0x09
        switch format {
        case .json:
            return JSONLogLine.parse(line, localOffset: localOffsetSeconds)
        case .plain, .syslog:
            let continues = indented || Self.isJavaContinuation(line)
            return ParsedLine(startsRecord: !continues, timeMs: continues ? nil : timestamp(line),
                              severity: continues ? nil : Self.severityFromWords(line))
        case .apache:
            guard first == UInt8(ascii: "[") else { return ParsedLine(startsRecord: false) }
            return ParsedLine(startsRecord: true, timeMs: timestamp(line), severity: Self.headerSeverity(line))
        case .java, .mysql, .nginx:
            guard Self.isDigit(first) || first == UInt8(ascii: "[") else { return ParsedLine(startsRecord: false) }
            return ParsedLine(startsRecord: true, timeMs: timestamp(line), severity: Self.headerSeverity(line))
        case .postgres:
            guard Self.isDigit(first) else { return ParsedLine(startsRecord: false) }
            let severity = Self.headerSeverity(line)
            if Self.contains(line.prefix(160), anyOf: ["DETAIL:", "HINT:", "STATEMENT:", "CONTEXT:", "QUERY:", "LOCATION:"]) && severity == nil {
                return ParsedLine(startsRecord: false)
            }
            return ParsedLine(startsRecord: true, timeMs: timestamp(line), severity: severity)
        }
    }

    // MARK: - Severity

    /// The first level word among the line's first 12 tokens (`[core:error]`, `SEVERE`, `[Warning]`, `ERROR:`).
    static func headerSeverity(_ line: ArraySlice<UInt8>) -> EventSeverity? {
        var tokens = 0
        var start: Int?
        for index in line.indices.prefix(200) {
            let byte = line[index]
            let separator = byte == 0x20 || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: ",") || byte == 0x09
            if separator {
                if let begin = start {
                    if let severity = levelWord(line[begin..<index]) { return severity }
                    tokens += 1
                    if tokens >= 12 { return nil }
                    start = nil
                }
            } else if start == nil {
                start = index
            }
        }
        return nil
    }

    /// Severity of a level word as loggers write it (case-insensitive), or nil. Words are packed into an
    /// integer (at most 8 letters or digits) and looked up: no string is built per token.
    static func levelWord(_ word: ArraySlice<UInt8>) -> EventSeverity? {
        guard word.count >= 3, word.count <= 8 else { return nil }
        var packed: UInt64 = 0
        for byte in word {
            guard (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isDigit(byte) else { return nil }
            packed = packed << 8 | UInt64(isDigit(byte) ? byte : byte | 0x20)
        }
        return levelWords[packed]
    }

    /// Level words (lower case, packed as `levelWord` packs them) and their severities.
    static let levelWords: [UInt64: EventSeverity] = {
        var words: [UInt64: EventSeverity] = [:]
        let info = ["info", "notice", "note", "debug", "trace", "log", "fine", "finer", "finest", "config", "system"]
            + (1...5).map { "debug\($0)" } + (1...8).map { "trace\($0)" }
        let table: [(EventSeverity, [String])] = [
            (.info, info), (.warning, ["warning", "warn"]), (.error, ["error", "err", "severe"]),
            (.critical, ["critical", "crit", "fatal", "alert", "emerg", "panic"]),
        ]
        for (severity, names) in table {
            for name in names { words[name.utf8.reduce(0) { $0 << 8 | UInt64($1) }] = severity }
        }
        return words
    }()

    /// For formats without a level field: the most severe of the words `panic`/`fatal`/`critical`,
    /// `error`/`failed`, `warning` found in the line.
    static func severityFromWords(_ line: ArraySlice<UInt8>) -> EventSeverity {
        var severity = EventSeverity.info
        var word: [UInt8] = []
        func finish() {
            defer { word.removeAll(keepingCapacity: true) }
            guard word.count >= 3, word.count <= 8 else { return }
            switch String(decoding: word, as: UTF8.self) {
            case "panic", "fatal", "critical", "crit", "emerg", "alert": severity = max(severity, .critical)
            case "error", "err", "errors", "failed", "failure": severity = max(severity, .error)
            case "warning", "warn": severity = max(severity, .warning)
            default: break
            }
        }
        for byte in line {
            if (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) {
                word.append(byte | 0x20)
            } else {
                finish()
            }
        }
        finish()
        return severity
    }

    /// `at …`, `Caused by: …`, `... 12 more`: the lines of a Java stack trace.
    static func isJavaContinuation(_ line: ArraySlice<UInt8>) -> Bool {
        line.starts(with: "Caused by:".utf8) || line.starts(with: "Suppressed:".utf8) || line.starts(with: "...".utf8)
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    static func contains(_ line: ArraySlice<UInt8>, anyOf needles: [String]) -> Bool {
        needles.contains { needle in
            let bytes = Array(needle.utf8)
            guard line.count >= bytes.count else { return false }
            var index = line.startIndex
            while index <= line.endIndex - bytes.count {
                if line[index] == bytes[0] && line[index..<index + bytes.count].elementsEqual(bytes) { return true }
                index += 1
            }
            return false
        }
    }

    // MARK: - Time

    /// The timestamp the line opens with, in any of the formats above, as Unix ms; nil when none parses.
    func timestamp(_ line: ArraySlice<UInt8>) -> Int64? {
        var scanner = TimeScanner(line)
        scanner.skip("<", through: ">")
        scanner.skipByte(UInt8(ascii: "["))
        if let time = scanner.isoDateTime() ?? scanner.javaDateTime() ?? scanner.apacheDateTime() ?? scanner.syslogDateTime() {
            let zone = scanner.zoneOffset()
            return (time.seconds - (zone ?? localOffsetSeconds)) * 1000 + time.milliseconds
        }
        return nil
    }

    /// Seconds east of UTC now (fixed for the agent's life; a DST change shifts zone-less timestamps by an hour).
    static func currentLocalOffset() -> Int64 {
        var now = Glibc.time(nil)
        var local = tm()
        localtime_r(&now, &local)
        return Int64(local.tm_gmtoff)
    }
}
