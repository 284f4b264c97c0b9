import Logging
import StrataCore

/// The resource a tracked file belongs to: a discovered server (by its key below the platform) or the platform.
struct FileOwner: Hashable, Sendable {
    /// The server's key below the platform (`nginx:/etc/nginx/nginx.conf`), nil for the platform itself.
    var serverKey: String?
    /// Its display name (for a server the agent has not reported in the same batch).
    var name: String

    static let platform = FileOwner(serverKey: nil, name: "")

    /// The first discovered server of `type` (a `log.NAME.server` / `config.NAME.server` setting), if any.
    static func server(ofType type: String?, in servers: [ServerFiles]) -> FileOwner? {
        guard let type, let server = servers.first(where: { $0.type == type }) else { return nil }
        return FileOwner(serverKey: server.key, name: server.name)
    }
}

/// What to follow and how: a path or glob, its format, the records to keep and how many per second.
struct LogSource: Sendable {
    /// `log.NAME` for a configured source, `server:KEY` for a discovered server's log.
    var name: String
    /// A path or a shell glob on the host.
    var pattern: String
    var format: LogFormat
    /// Records below this are dropped (counted as `below_level`).
    var minimumLevel: EventSeverity
    /// Only records matching this are kept.
    var include: POSIXRegex?
    /// Records matching this are dropped.
    var exclude: POSIXRegex?
    /// Records kept per second and file (bursts up to 10 s worth); beyond that they are counted and dropped.
    var ratePerSecond: Double
    var owner: FileOwner
    /// For a server type set with `log.NAME.server`: attach to the discovered server of that type.
    var ownerType: String?

    /// Name and pattern: a source whose files were expanded once reads files that appear later from their start.
    var identity: String { name + "\u{0}" + pattern }

    /// The defaults of the `log.*` settings.
    static let defaultRate = 100.0
    static let defaultServerLevel = EventSeverity.warning

    /// The sources `log.NAME.path = …` settings configure (`format`, `level`, `include`, `exclude`, `rate`,
    /// `server` beside them); a bad setting is logged and that source skipped.
    static func configured(_ settings: [String: String], logger: Logger?) -> [LogSource] {
        var names: [String] = []
        for key in settings.keys where key.hasPrefix("log.") && key.hasSuffix(".path") {
            names.append(String(key.dropFirst(4).dropLast(5)))
        }
        let fileRate = rate(settings["log.rate"]) ?? Self.defaultRate
        var sources: [LogSource] = []
        for name in names.sorted() {
            func setting(_ field: String) -> String? { settings["log.\(name).\(field)"] }
            do throws(ConfigurationError) {
                guard let path = setting("path"), path.hasPrefix("/") else { throw ConfigurationError("log.\(name).path must be an absolute path or glob") }
                let format = try setting("format").map { text throws(ConfigurationError) in
                    guard let format = LogFormat(rawValue: text) else {
                        throw ConfigurationError("log.\(name).format \"\(text)\" is not one of \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
                    }
                    return format
                } ?? .plain
                let level = try setting("level").map { text throws(ConfigurationError) in
                    guard let level = EventSeverity(name: text) else { throw ConfigurationError("log.\(name).level \"\(text)\" is not info, warning, error or critical") }
                    return level
                } ?? .info
                if let text = setting("rate"), Self.rate(text) == nil {
                    throw ConfigurationError("log.\(name).rate \"\(text)\" is not a number of records per second from 0.1 to 1000000")
                }
                let perSecond = Self.rate(setting("rate")) ?? fileRate
                sources.append(LogSource(name: "log.\(name)", pattern: path, format: format, minimumLevel: level,
                                         include: try setting("include").map { text throws(ConfigurationError) in try POSIXRegex(text) },
                                         exclude: try setting("exclude").map { text throws(ConfigurationError) in try POSIXRegex(text) },
                                         ratePerSecond: perSecond, owner: .platform, ownerType: setting("server")))
            } catch {
                logger?.warning("log source skipped", metadata: ["source": "log.\(name)", "reason": "\(error)"])
            }
        }
        return sources
    }

    /// A rate setting: records per second from 0.1 to 1,000,000, else nil.
    static func rate(_ text: String?) -> Double? {
        guard let text, let value = Double(text), value.isFinite, value >= 0.1, value <= 1_000_000 else { return nil }
        return value
    }

    /// The source for one log file (or glob) of a discovered server.
    static func server(key: String, name: String, type: String, pattern: String, settings: [String: String]) -> LogSource {
        LogSource(name: "server:\(key)", pattern: pattern, format: LogFormat.forServer(type: type),
                  minimumLevel: settings["log.server_level"].flatMap(EventSeverity.init(name:)) ?? defaultServerLevel,
                  include: nil, exclude: nil, ratePerSecond: rate(settings["log.rate"]) ?? Self.defaultRate,
                  owner: FileOwner(serverKey: key, name: name))
    }
}

/// Tokens for `rate` records per second, holding up to `burst`.
struct TokenBucket: Sendable {
    let rate: Double
    let burst: Double
    private var tokens: Double
    private var lastMs: Int64

    init(rate: Double, nowMs: Int64) {
        self.rate = rate
        self.burst = max(1, rate * 10)
        self.tokens = burst
        self.lastMs = nowMs
    }

    /// Takes one token if there is one.
    mutating func take(nowMs: Int64) -> Bool {
        tokens = min(burst, tokens + Double(max(0, nowMs - lastMs)) * rate / 1000)
        lastMs = nowMs
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
