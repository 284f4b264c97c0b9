import Foundation
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
    /// A platform is down after its agent misses this many intervals.
    public var missedIntervals: Int64 = 3
    /// Largest agent batch body accepted, in bytes.
    public var maxBatchBytes = 16 << 20
    /// Largest JSON request body accepted, in bytes.
    public var maxJSONBytes = 1 << 20
    /// Largest remote-write body accepted (snappy-compressed), in bytes; 8× that after decompression.
    public var maxRemoteWriteBytes = 32 << 20
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
        var log_level: String?
        var missed_intervals: Int64?
        var max_batch_bytes: Int?
        var max_json_bytes: Int?
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
        if let level = file.log_level { logLevel = level }
        if let missed = file.missed_intervals { missedIntervals = missed }
        if let bytes = file.max_batch_bytes { maxBatchBytes = bytes }
        if let bytes = file.max_json_bytes { maxJSONBytes = bytes }
    }

    /// Applies `STRATA_LISTEN`, `STRATA_DATA`, `STRATA_LOG_LEVEL`, `STRATA_MISSED_INTERVALS`,
    /// `STRATA_BOOTSTRAP_ADMIN_PASSWORD` and `STRATA_BOOTSTRAP_AGENT_TOKEN`.
    public mutating func apply(environment: [String: String]) throws(ConfigurationError) {
        if let listen = environment["STRATA_LISTEN"] { try setListen(listen, source: "STRATA_LISTEN") }
        if let data = environment["STRATA_DATA"] { dataDirectory = data }
        if let level = environment["STRATA_LOG_LEVEL"] { logLevel = level }
        if let missed = environment["STRATA_MISSED_INTERVALS"] {
            guard let value = Int64(missed), value > 0 else {
                throw .invalid(source: "STRATA_MISSED_INTERVALS", reason: "expected a positive whole number")
            }
            missedIntervals = value
        }
        if let password = environment["STRATA_BOOTSTRAP_ADMIN_PASSWORD"], !password.isEmpty { bootstrapAdminPassword = password }
        if let token = environment["STRATA_BOOTSTRAP_AGENT_TOKEN"], !token.isEmpty { bootstrapAgentToken = token }
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
