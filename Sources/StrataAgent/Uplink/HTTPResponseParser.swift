/// Parses an HTTP/1.1 response held entirely in memory (fixed length, chunked, or until close).
public struct HTTPResponseParser: Sendable {
    /// Largest body accepted.
    public var maxBodyBytes: Int

    /// Creates a parser accepting bodies up to `maxBodyBytes`.
    public init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// Offset just past `\r\n\r\n`, if the head is complete.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }

    /// Total length of a response with Content-Length once its head has arrived; nil otherwise.
    public static func completeLength(_ bytes: [UInt8]) -> Int? {
        guard let end = headEnd(bytes) else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
        for line in head.split(separator: "\r\n") where line.hasPrefix("content-length:") {
            if let length = Int(line.dropFirst("content-length:".count).trimmingSpaces) { return end + length }
        }
        return nil
    }

    public func parse(_ bytes: [UInt8]) throws(HTTPClientError) -> HTTPResponse {
        guard let end = Self.headEnd(bytes) else { throw .malformedResponse("connection closed before the headers ended") }
        let head = String(decoding: bytes[0..<(end - 4)], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw .malformedResponse("empty status line") }
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .malformedResponse("bad status line")
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingSpaces
        }
        var body = Array(bytes[end...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body)
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0, length <= body.count else {
                throw .malformedResponse("body shorter than Content-Length")
            }
            body = Array(body[0..<length])
        }
        guard body.count <= maxBodyBytes else { throw .malformedResponse("body larger than \(maxBodyBytes) bytes") }
        return HTTPResponse(status: status, headers: headers, body: body)
    }

    private func dechunk(_ bytes: [UInt8]) throws(HTTPClientError) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while true {
            guard let lineEnd = (index..<max(index, bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else {
                throw .malformedResponse("truncated chunk size")
            }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingSpaces, radix: 16), size >= 0 else { throw .malformedResponse("bad chunk size") }
            index = lineEnd + 2
            if size == 0 { return result }
            guard index + size <= bytes.count else { throw .malformedResponse("truncated chunk") }
            result.append(contentsOf: bytes[index..<(index + size)])
            guard result.count <= maxBodyBytes else { throw .malformedResponse("body larger than \(maxBodyBytes) bytes") }
            index += size + 2
        }
    }
}
