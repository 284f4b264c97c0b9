/// Asks HTTP status pages in turn (a configured URL, or the same path on each listening port) until one
/// answers 200 with a body its parser understands.
enum StatusPage {
    /// A page that was read: where, the raw answer, and what the parser made of it.
    struct Found<Parsed> {
        var url: String
        var response: HTTPResponse
        var parsed: Parsed
    }

    /// The first candidate whose answer `parse` accepts, or why none did (the last failure, for the log).
    static func first<Parsed>(_ candidates: [String], what: String, headers: [(String, String)] = [], timeoutMs: Int32,
                              parse: (HTTPResponse) -> Parsed?) -> Result<Found<Parsed>, StatusFailure> {
        var lastError = "no listening port to ask for \(what)"
        for url in candidates {
            do {
                var client = try HTTPClient(baseURL: url)
                client.timeoutMs = timeoutMs
                let response = try client.send(method: "GET", path: "", headers: headers)
                if response.status == 200, let parsed = parse(response) { return .success(Found(url: url, response: response, parsed: parsed)) }
                lastError = response.status == 401 || response.status == 403
                    ? "\(url) refused the login (HTTP \(response.status)): check the credentials in plugins.conf"
                    : "\(url) answered HTTP \(response.status) without \(what)"
            } catch {
                lastError = "\(url): \(error)"
            }
        }
        return .failure(StatusFailure(description: lastError))
    }
}

/// Why no status page could be read.
struct StatusFailure: Error, CustomStringConvertible {
    var description: String
}
