/// One SMTP reply: a three-digit code and its text lines (RFC 5321 §4.2).
struct SMTPReply: Sendable, Equatable {
    /// The reply code, 200–599.
    var code: Int
    /// The text after the code on each line (`250-PIPELINING` gives `PIPELINING`).
    var lines: [String]

    /// The text on one line, for messages.
    var text: String { lines.joined(separator: " / ") }

    /// The EHLO keywords this reply advertises, upper-cased, with their parameters:
    /// `AUTH PLAIN LOGIN` gives `["AUTH": ["PLAIN", "LOGIN"]]`. The first line is the greeting, not a keyword.
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(separator: " ").map { $0.uppercased() }
            if let keyword = words.first { result[keyword] = Array(words.dropFirst()) }
        }
        return result
    }
}

/// Splits the bytes an SMTP server sends into replies, refusing what a well-behaved server never sends:
/// lines over `maxLineBytes`, replies over `maxLines` lines, or lines that do not start with a code. The
/// limits keep a hostile server from making the client buffer without bound.
struct SMTPReplyParser {
    /// RFC 5321 allows 512 bytes per reply line; this leaves room for servers that exceed it.
    static let maxLineBytes = 4096
    /// No real server needs this many lines for one reply (EHLO lists a dozen or so).
    static let maxLines = 128

    /// What was not a valid reply.
    struct Invalid: Error, Equatable {
        var line: String
    }

    private var buffer: [UInt8] = []
    private var lines: [String] = []
    private var code: Int?

    /// Whether bytes are waiting that are not yet a whole reply.
    var hasBufferedBytes: Bool { !buffer.isEmpty || !lines.isEmpty }

    /// Adds bytes read from the connection.
    mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next whole reply, or nil until more bytes arrive.
    mutating func next() throws(Invalid) -> SMTPReply? {
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var lineBytes = buffer[..<newline]
            if lineBytes.last == UInt8(ascii: "\r") { lineBytes = lineBytes.dropLast() }
            let line = String(decoding: lineBytes, as: UTF8.self)
            buffer.removeSubrange(...newline)
            guard lineBytes.count >= 3, lineBytes.count <= Self.maxLineBytes,
                  let lineCode = Int(String(decoding: lineBytes.prefix(3), as: UTF8.self)), (200...599).contains(lineCode),
                  lineBytes.count == 3 || [UInt8(ascii: " "), UInt8(ascii: "-")].contains(lineBytes[lineBytes.startIndex + 3]),
                  code == nil || code == lineCode
            else {
                throw Invalid(line: String(line.prefix(200)))
            }
            code = lineCode
            lines.append(lineBytes.count > 4 ? String(line.dropFirst(4)) : "")
            guard lines.count <= Self.maxLines else { throw Invalid(line: "more than \(Self.maxLines) lines in one reply") }
            let continues = lineBytes.count > 3 && lineBytes[lineBytes.startIndex + 3] == UInt8(ascii: "-")
            if !continues {
                defer { lines = []; code = nil }
                return SMTPReply(code: lineCode, lines: lines)
            }
        }
        guard buffer.count <= Self.maxLineBytes else {
            throw Invalid(line: "a line longer than \(Self.maxLineBytes) bytes")
        }
        return nil
    }
}
