import Foundation
import StrataCore
import Yams

/// Settings of `strata server`, from defaults, a YAML file, `STRATA_*` environment variables and flags,
/// in increasing precedence.
public struct ServerConfiguration: Sendable, Equatable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on (0 picks a free one).
    public var port = 7480
    /// Directory holding the catalog, the sample store and the initial credentials.
    public var dataDirectory = "./data"
    /// Log level name (`trace` … `critical`).
    public var logLevel = "info"
    /// Where the web UI's files are (`ui_directory`, `STRATA_UI`); nil looks beside the binary
    /// (`../share/strata/web`) and then in the source tree it was built from (docs/ui.md).
    public var uiDirectory: String?
    /// A platform is down after its agent misses this many intervals.
    public var missedIntervals: Int64 = 3
    /// Largest agent batch body accepted, in bytes.
    public var maxBatchBytes = 16 << 20
    /// Largest JSON request body accepted, in bytes.
    public var maxJSONBytes = 1 << 20
    /// Largest remote-write body accepted (snappy-compressed), in bytes; 8× that after decompression.
    public var maxRemoteWriteBytes = 32 << 20
    /// Largest import document (`POST /api/v1/import`) accepted, in bytes.
    public var maxImportBytes = 64 << 20
    /// The time-series head is persisted as a block once it spans this long (ms).
    public var blockDurationMs: Int64 = 2 * 3_600_000
    /// Retention per level (ms): raw, 1 min rollups, 1 h rollups.
    public var retentionMs: [String: Int64] = ["raw": 15 * 86_400_000, "1m": 90 * 86_400_000, "1h": 730 * 86_400_000]
    /// Requests a second per client address (bursts of twice that); 0 turns the limit off.
    public var rateLimitPerSecond = 2000
    /// Failed authentications allowed per client address per minute before it gets 429 for the rest of
    /// the minute.
    public var authFailuresPerMinute = 20
    /// Longest a query may run (`query_timeout`, `STRATA_QUERY_TIMEOUT`; default 30 s); a request's own
    /// `timeout` parameter may only shorten it.
    public var queryTimeoutMs: Int64 = 30_000
    /// A connection that completes no part of a request (its headers, a chunk of its body) for this long is closed
    /// (`idle_timeout`, `STRATA_IDLE_TIMEOUT`; default 60 s, 5 s to 1 h): idle between requests, or still owing the
    /// rest of its headers or body. A response being written (a long query, a stream) is never cut by it.
    public var idleTimeoutMs: Int64 = 60_000
    /// Rule groups without an `interval` of their own are evaluated this often (`rule_evaluation_interval`, default 1 m as
    /// Prometheus's `evaluation_interval`).
    public var ruleIntervalMs: Int64 = 60_000
    /// Browser sessions last this many hours.
    public var sessionHours: Int64 = 12
    /// Events older than this are deleted (`event_retention`, default 31 days).
    public var eventRetentionMs: Int64 = 31 * 86_400_000
    /// Servers down or unknown for longer than this are retired: hidden from lists, history kept
    /// (`retire_servers_after`, `STRATA_RETIRE_SERVERS_AFTER`, default 7 days; 0 never).
    public var retireServersAfterMs: Int64 = 7 * 86_400_000
    /// TLS: `off`, `auto` (a certificate from the server's own CA in `DATA/tls`), or `files` (`tlsCertificateFile`
    /// and `tlsKeyFile`, set automatically when those are given).
    public var tls = "off"
    /// PEM certificate chain for `tls: files`.
    public var tlsCertificateFile: String?
    /// PEM private key for `tls: files`.
    public var tlsKeyFile: String?
    /// Extra DNS names or addresses for the `auto` certificate (localhost, 127.0.0.1, ::1 and the host name are always in).
    public var tlsHosts: [String] = []
    /// Mutual TLS for agents: `off`, `optional` (a presented client certificate must be valid, unrevoked and the
    /// agent's own) or `required` (agent batches need one). Client certificates come from the server's CA at enrollment.
    public var mutualTLS = "off"
    /// Admin password to create on first start (else random, printed once).
    public var bootstrapAdminPassword: String?
    /// Agent enrollment token to create on first start (else random, printed once).
    public var bootstrapAgentToken: String?

    /// Creates the defaults.
    public init() {}

    /// The YAML file's shape; every key optional.
    struct File: Decodable {
        var listen: String?
        var data: String?
        var ui_directory: String?
        var log_level: String?
        var missed_intervals: Int64?
        var max_batch_bytes: Int?
        var max_json_bytes: Int?
        var max_import_bytes: Int?
        var block_duration: String?
        var retention_raw: String?
        var retention_1m: String?
        var retention_1h: String?
        var event_retention: String?
        var retire_servers_after: String?
        var rate_limit: Int?
        var tls: String?
        var tls_cert: String?
        var tls_key: String?
        var tls_hosts: [String]?
        var mtls: String?
        var session_hours: Int64?
        var query_timeout: String?
        var idle_timeout: String?
        var rule_evaluation_interval: String?
    }

    /// Applies a YAML configuration file.
    public mutating func apply(yamlFile path: String) throws(ConfigurationError) {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path: path, reason: "\(error.localizedDescription)")
        }
        let file: File
        do { file = try YAMLDecoder().decode(File.self, from: text) } catch {
            throw .invalid(source: path, reason: "\(error)")
        }
        if let listen = file.listen { try setListen(listen, source: path) }
        if let data = file.data { dataDirectory = data }
        if let ui = file.ui_directory { uiDirectory = ui }
        if let level = file.log_level { logLevel = level }
        if let missed = file.missed_intervals { missedIntervals = missed }
        if let bytes = file.max_batch_bytes { maxBatchBytes = bytes }
        if let bytes = file.max_json_bytes { maxJSONBytes = bytes }
        if let bytes = file.max_import_bytes {
            guard bytes > 0 else { throw .invalid(source: path + " max_import_bytes", reason: "expected a number of bytes above 0") }
            maxImportBytes = bytes
        }
        if let text = file.block_duration { blockDurationMs = try Self.duration(text, source: path + " block_duration") }
        if let mode = file.tls { try setTLS(mode, source: path + " tls") }
        if let cert = file.tls_cert { tlsCertificateFile = cert; tls = "files" }
        if let key = file.tls_key { tlsKeyFile = key }
        if let hosts = file.tls_hosts { tlsHosts = hosts }
        if let mode = file.mtls { try setMutualTLS(mode, source: path + " mtls") }
        if let limit = file.rate_limit { rateLimitPerSecond = try Self.nonNegative(limit, source: path + " rate_limit") }
        if let hours = file.session_hours {
            guard (1...720).contains(hours) else { throw .invalid(source: path + " session_hours", reason: "expected 1 to 720") }
            sessionHours = hours
        }
        for (level, text) in [("raw", file.retention_raw), ("1m", file.retention_1m), ("1h", file.retention_1h)] {
            if let text { retentionMs[level] = try Self.duration(text, source: path + " retention_" + level) }
        }
        if let text = file.event_retention { eventRetentionMs = try Self.duration(text, source: path + " event_retention") }
        if let text = file.retire_servers_after { retireServersAfterMs = try Self.durationOrNever(text, source: path + " retire_servers_after") }
        if let text = file.query_timeout { queryTimeoutMs = try Self.duration(text, source: path + " query_timeout") }
        if let text = file.idle_timeout { idleTimeoutMs = try Self.idleTimeout(text, source: path + " idle_timeout") }
        if let text = file.rule_evaluation_interval {
            let ms = try Self.duration(text, source: path + " rule_evaluation_interval")
            guard ms >= 1000 else { throw .invalid(source: path + " rule_evaluation_interval", reason: "expected at least 1s") }
            ruleIntervalMs = ms
        }
    }

    /// Sets the TLS mode.
    public mutating func setTLS(_ mode: String, source: String) throws(ConfigurationError) {
        guard ["off", "auto", "files"].contains(mode) else { throw .invalid(source: source, reason: "expected off, auto or files") }
        tls = mode
    }

    /// Sets the mutual-TLS mode.
    public mutating func setMutualTLS(_ mode: String, source: String) throws(ConfigurationError) {
        guard ["off", "optional", "required"].contains(mode) else { throw .invalid(source: source, reason: "expected off, optional or required") }
        mutualTLS = mode
    }

    /// Checks combinations that single values cannot: `files` needs both files; mutual TLS needs TLS.
    public func validate() throws(ConfigurationError) {
        if tls == "files", tlsCertificateFile == nil || tlsKeyFile == nil {
            throw .invalid(source: "tls", reason: "tls: files needs both tls_cert and tls_key (STRATA_TLS_CERT, STRATA_TLS_KEY)")
        }
        if mutualTLS != "off", tls == "off" {
            throw .invalid(source: "mtls", reason: "mutual TLS needs TLS: set tls to auto or give tls_cert and tls_key")
        }
    }

    /// A whole number ≥ 0.
    static func nonNegative(_ value: Int, source: String) throws(ConfigurationError) -> Int {
        guard value >= 0 else { throw .invalid(source: source, reason: "expected a whole number ≥ 0 (0 turns the limit off)") }
        return value
    }

    /// A positive duration such as `2h` or `90d`.
    static func duration(_ text: String, source: String) throws(ConfigurationError) -> Int64 {
        guard let ms = DurationText.milliseconds(text), ms > 0 else {
            throw .invalid(source: source, reason: "expected a duration such as 30s, 2h or 90d")
        }
        return ms
    }

    /// The idle timeout: a duration from 5 s (clients such as curl wait 1 s for a `100 Continue` the server never
    /// sends before a large body) to 1 h.
    static func idleTimeout(_ text: String, source: String) throws(ConfigurationError) -> Int64 {
        let ms = try duration(text, source: source)
        guard (5_000...3_600_000).contains(ms) else { throw .invalid(source: source, reason: "expected 5s to 1h") }
        return ms
    }

    /// A duration, or 0 for `0`, `off` or `never`.
    static func durationOrNever(_ text: String, source: String) throws(ConfigurationError) -> Int64 {
        ["0", "off", "never"].contains(text.lowercased()) ? 0 : try duration(text, source: source)
    }

    /// Applies `STRATA_LISTEN`, `STRATA_DATA`, `STRATA_LOG_LEVEL`, `STRATA_MISSED_INTERVALS`,
    /// `STRATA_BOOTSTRAP_ADMIN_PASSWORD`, `STRATA_BOOTSTRAP_AGENT_TOKEN`, `STRATA_RATE_LIMIT`,
    /// `STRATA_BLOCK_DURATION`, `STRATA_RETIRE_SERVERS_AFTER` and `STRATA_RETENTION_RAW|1M|1H`.
    public mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        if let listen = environment["STRATA_LISTEN"] { try setListen(listen, source: "STRATA_LISTEN") }
        if let data = environment["STRATA_DATA"] { dataDirectory = data }
        if let ui = environment["STRATA_UI"], !ui.isEmpty { uiDirectory = ui }
        if let level = environment["STRATA_LOG_LEVEL"] { logLevel = level }
        if let missed = environment["STRATA_MISSED_INTERVALS"] {
            guard let value = Int64(missed), value > 0 else {
                throw .invalid(source: "STRATA_MISSED_INTERVALS", reason: "expected a positive whole number")
            }
            missedIntervals = value
        }
        if let password = environment["STRATA_BOOTSTRAP_ADMIN_PASSWORD"], !password.isEmpty { bootstrapAdminPassword = password }
        if let token = environment["STRATA_BOOTSTRAP_AGENT_TOKEN"], !token.isEmpty { bootstrapAgentToken = token }
        if let mode = environment["STRATA_TLS"] { try setTLS(mode, source: "STRATA_TLS") }
        if let cert = environment["STRATA_TLS_CERT"] { tlsCertificateFile = cert; tls = "files" }
        if let key = environment["STRATA_TLS_KEY"] { tlsKeyFile = key }
        if let hosts = environment["STRATA_TLS_HOSTS"] { tlsHosts = hosts.split(separator: ",").map(String.init) }
        if let mode = environment["STRATA_MTLS"] { try setMutualTLS(mode, source: "STRATA_MTLS") }
        if let text = environment["STRATA_QUERY_TIMEOUT"] { queryTimeoutMs = try Self.duration(text, source: "STRATA_QUERY_TIMEOUT") }
        if let text = environment["STRATA_IDLE_TIMEOUT"] { idleTimeoutMs = try Self.idleTimeout(text, source: "STRATA_IDLE_TIMEOUT") }
        if let text = environment["STRATA_RATE_LIMIT"] {
            guard let value = Int(text) else { throw .invalid(source: "STRATA_RATE_LIMIT", reason: "expected a whole number ≥ 0") }
            rateLimitPerSecond = try Self.nonNegative(value, source: "STRATA_RATE_LIMIT")
        }
        if let text = environment["STRATA_BLOCK_DURATION"] { blockDurationMs = try Self.duration(text, source: "STRATA_BLOCK_DURATION") }
        if let text = environment["STRATA_RETIRE_SERVERS_AFTER"] {
            retireServersAfterMs = try Self.durationOrNever(text, source: "STRATA_RETIRE_SERVERS_AFTER")
        }
        for level in ["raw", "1m", "1h"] {
            let name = "STRATA_RETENTION_" + level.uppercased()
            if let text = environment[name] { retentionMs[level] = try Self.duration(text, source: name) }
        }
    }

    /// Sets host and port from `HOST:PORT` (`[::1]:7480` for IPv6).
    public mutating func setListen(_ text: String, source: String) throws(ConfigurationError) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw .invalid(source: source, reason: "\"\(text)\" is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw .invalid(source: source, reason: "\"\(text)\" has no host") }
        self.host = host
        self.port = port
    }
}

/// Why the configuration could not be loaded.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// A value was wrong.
    case invalid(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason): return "cannot read configuration file \(path): \(reason)"
        case let .invalid(source, reason): return "invalid configuration in \(source): \(reason)"
        }
    }
}
