import ArgumentParser
import Foundation
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

    /// GETs `path` and returns the envelope's `data`.
    func get(_ path: String) throws -> Any {
        try send("GET", path)
    }

    /// Sends `method path` (with a JSON `body`) and returns the envelope's `data`.
    func send(_ method: String, _ path: String, body: [String: Any]? = nil) throws -> Any {
        let environment = ProcessInfo.processInfo.environment
        let base = url ?? environment["STRATA_URL"] ?? "http://127.0.0.1:7480"
        let tls = base.hasPrefix("https://") ? try TLSClient(caFile: caFile ?? environment["STRATA_CA_FILE"]) : nil
        let client = try HTTPClient(baseURL: base, tls: tls)
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let token = token ?? environment["STRATA_TOKEN"], !token.isEmpty {
            headers.append(("Authorization", "Bearer \(token)"))
        } else if let user = user ?? environment["STRATA_USER"] {
            let password = environment["STRATA_PASSWORD"] ?? ""
            headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
        }
        var bytes: [UInt8] = []
        if let body {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
        }
        // Writes always declare JSON: the server refuses a POST on basic credentials without it (CSRF rule).
        if body != nil || method != "GET" { headers.append(("Content-Type", "application/json")) }
        let response = try client.send(method: method, path: path, headers: headers, body: bytes)
        let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        guard let envelope = object as? [String: Any] else {
            throw ValidationError("HTTP \(response.status) from the server, not a Strata API answer")
        }
        guard envelope["status"] as? String == "success", let data = envelope["data"] else {
            throw ValidationError("\(envelope["errorType"] ?? "error"): \(envelope["error"] ?? "HTTP \(response.status)")")
        }
        return data
    }

    /// Prints `data` as indented JSON.
    func printJSON(_ data: Any) throws {
        let bytes = try JSONSerialization.data(withJSONObject: data, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed])
        print(String(decoding: bytes, as: UTF8.self))
    }
}

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

/// A JSON value as display text.
func text(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: return "-"
    case let string as String: return string
    case let number as NSNumber: return number.stringValue
    default: return "\(value!)"
    }
}
