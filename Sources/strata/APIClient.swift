import ArgumentParser
import Foundation
import StrataAPI
import StrataAgent

/// Connection options shared by the CLI commands.
struct ClientOptions: ParsableArguments {
    @Option(help: "Server URL (default: STRATA_URL, else http://127.0.0.1:7480).")
    var url: String?

    @Option(help: "Bearer API token (default: STRATA_TOKEN).")
    var token: String?

    @Option(help: "User for HTTP basic auth (default: STRATA_USER); the password comes from STRATA_PASSWORD.")
    var user: String?

    @Option(help: "CA certificate (PEM) for an https server (default: STRATA_CA_FILE, else the system's trust store).")
    var caFile: String?

    @Flag(help: "Print the raw JSON data instead of a table.")
    var json = false

    /// GETs `path` and returns the envelope's `data` as a `T`.
    func get<T: Codable & Sendable>(_ path: String, as type: T.Type = T.self) throws -> T {
        try exchange("GET", path, body: nil)
    }

    /// Sends `method path` without a body and returns the envelope's `data`.
    func send<T: Codable & Sendable>(_ method: String, _ path: String, as type: T.Type = T.self) throws -> T {
        try exchange(method, path, body: nil)
    }

    /// Sends `method path` with a JSON `body` and returns the envelope's `data`.
    func send<T: Codable & Sendable>(_ method: String, _ path: String, body: some Encodable, as type: T.Type = T.self) throws -> T {
        try exchange(method, path, body: Array(try JSONEncoder().encode(body)))
    }

    /// Sends `method path` with `bytes` as its JSON body (a document sent as the user wrote it) and returns the envelope's `data`.
    func send<T: Codable & Sendable>(_ method: String, _ path: String, json bytes: [UInt8], as type: T.Type = T.self) throws -> T {
        try exchange(method, path, body: bytes)
    }

    private func exchange<T: Codable & Sendable>(_ method: String, _ path: String, body: [UInt8]?) throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["STRATA_URL"] ?? "http://127.0.0.1:7480"
        let tls = base.hasPrefix("https://") ? try TLSClient(caFile: caFile ?? environment["STRATA_CA_FILE"]) : nil
        let client = try HTTPClient(baseURL: base, tls: tls)
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let authorization = try CLICredentials.resolve(token: token, user: user, environment: environment).header {
            headers.append(authorization)
        }
        // Writes always declare JSON: the server refuses a POST on basic credentials without it (CSRF rule).
        if body != nil || method != "GET" { headers.append(("Content-Type", "application/json")) }
        let response: HTTPResponse
        do {
            response = try client.send(method: method, path: path, headers: headers, body: body ?? [])
        } catch {
            throw CLIError.unreachable("cannot reach the server at \(base): \(error)")
        }
        if let failure = try? JSONDecoder().decode(API.Envelope<Empty>.self, from: Data(response.body)), failure.status == "error" {
            throw CLIError.refused(status: response.status, errorType: failure.errorType ?? "error", message: failure.error ?? "HTTP \(response.status)")
        }
        do {
            let envelope = try JSONDecoder().decode(API.Envelope<T>.self, from: Data(response.body))
            guard let data = envelope.data else { throw CLIError.unreachable("HTTP \(response.status) from \(base) without data") }
            return data
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.unreachable("HTTP \(response.status) from \(base), not a Strata API answer this CLI understands (\(error))")
        }
    }

    /// Prints `data` as indented JSON.
    func printJSON(_ data: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "+Inf", negativeInfinity: "-Inf", nan: "NaN")
        print(String(decoding: try encoder.encode(data), as: UTF8.self))
    }
}

/// The data of an answer whose data the CLI does not read.
struct Empty: Codable, Sendable {}

/// Percent-encodes a query value.
func queryEscape(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
}

/// Prints rows as an aligned table with a header.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}

/// An optional value as display text (`-` for none).
func text(_ value: (some CustomStringConvertible)?) -> String {
    value.map(\.description) ?? "-"
}

/// A Unix-ms time as ISO 8601 (`-` for none).
func time(_ ms: Int64?) -> String {
    guard let ms else { return "-" }
    return ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
}
