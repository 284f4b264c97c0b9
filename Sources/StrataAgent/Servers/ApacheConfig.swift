/// What the agent reads from an Apache httpd configuration: the files (following `Include` and
/// `IncludeOptional`), `Listen` ports, virtual hosts, log files and the `server-status` location.
public struct ApacheConfig: Sendable, Equatable {
    /// One `<VirtualHost>` block.
    public struct VirtualHost: Sendable, Equatable {
        /// `ServerName`, or `_default_` when the block has none.
        public var serverName: String
        /// `ServerAlias` names.
        public var aliases: [String]
        /// Port of the block's address (`*:80` → 80).
        public var port: UInt16
        /// `DocumentRoot`.
        public var documentRoot: String?
        /// `ErrorLog` and `CustomLog` files.
        public var logFiles: [String]
    }

    /// Every configuration file read, main file first.
    public var files: [String] = []
    /// `Listen` ports.
    public var listenPorts: [UInt16] = []
    /// Virtual hosts in configuration order.
    public var virtualHosts: [VirtualHost] = []
    /// Log files of the main server.
    public var logFiles: [String] = []
    /// The `ErrorLog` files (server-wide and of virtual hosts): what log tracking follows.
    public var errorLogs: [String] = []
    /// Path of the `<Location>` whose handler is `server-status`.
    public var statusLocation: String?

    /// Reads `file` and what it includes; `${VAR}` is replaced from `environment` (the master process's).
    public static func read(_ file: String, serverRoot: String, environment: [String: String], fs: HostFS) -> ApacheConfig {
        var config = ApacheConfig()
        var root = serverRoot
        var virtualHost: VirtualHost?
        var location: String?
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : root + "/" + path }
        func visit(_ path: String, depth: Int) {
            guard depth < 16, !config.files.contains(path), let text = fs.read(path, limit: 1 << 20) else { return }
            config.files.append(path)
            for line in logicalLines(text) {
                let words = tokens(substitute(line, environment))
                guard let directive = words.first?.lowercased() else { continue }
                let arguments = Array(words.dropFirst())
                switch directive {
                case "serverroot": if let value = arguments.first { root = value }
                case "include", "includeoptional":
                    for argument in arguments { for match in fs.glob(absolute(argument)) { visit(match, depth: depth + 1) } }
                case "listen":
                    if let value = arguments.first, let port = UInt16(value.split(separator: ":").last ?? "") {
                        if !config.listenPorts.contains(port) { config.listenPorts.append(port) }
                    }
                case "<virtualhost":
                    let address = arguments.first?.replacingTrailing(">") ?? "*"
                    let port = address.split(separator: ":").last.flatMap { UInt16($0) } ?? 80
                    virtualHost = VirtualHost(serverName: "_default_", aliases: [], port: port, documentRoot: nil, logFiles: [])
                case "</virtualhost>":
                    if let host = virtualHost { config.virtualHosts.append(host) }
                    virtualHost = nil
                case "servername": if let value = arguments.first { virtualHost?.serverName = value }
                case "serveralias": virtualHost?.aliases += arguments
                case "documentroot": if let value = arguments.first { virtualHost?.documentRoot = value }
                case "errorlog", "customlog", "transferlog":
                    guard let value = arguments.first, !value.hasPrefix("|"), !value.hasPrefix("syslog") else { continue }
                    if virtualHost != nil { virtualHost?.logFiles.append(absolute(value)) } else { config.logFiles.append(absolute(value)) }
                    if directive == "errorlog", !config.errorLogs.contains(absolute(value)) { config.errorLogs.append(absolute(value)) }
                case "<location": location = arguments.first?.replacingTrailing(">")
                case "</location>": location = nil
                case "sethandler":
                    if arguments.first?.lowercased() == "server-status", let location { config.statusLocation = location }
                default: continue
                }
            }
        }
        visit(file, depth: 0)
        return config
    }

    /// Lines without comments, with backslash continuations joined.
    static func logicalLines(_ text: String) -> [String] {
        var lines: [String] = []
        var pending = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingSpaces
            if line.hasSuffix("\\") {
                line.removeLast()
                pending += line + " "
                continue
            }
            line = pending + line
            pending = ""
            if line.isEmpty || line.hasPrefix("#") { continue }
            lines.append(line)
        }
        return lines
    }

    /// Words of a directive line; double-quoted words keep their spaces.
    static func tokens(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        for character in line {
            if character == "\"" { quoted.toggle(); continue }
            if !quoted && (character == " " || character == "\t") {
                if !current.isEmpty { words.append(current); current = "" }
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `line` with each `${NAME}` replaced by its value in `environment` (left as is when unknown).
    static func substitute(_ line: String, _ environment: [String: String]) -> String {
        guard line.contains("${") else { return line }
        var result = ""
        var rest = Substring(line)
        while let start = rest.firstRange(of: "${"), let end = rest[start.upperBound...].firstIndex(of: "}") {
            result += rest[..<start.lowerBound]
            let name = String(rest[start.upperBound..<end])
            result += environment[name] ?? "${\(name)}"
            rest = rest[rest.index(after: end)...]
        }
        return result + rest
    }
}

extension String {
    /// The string without one trailing `suffix`.
    func replacingTrailing(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
