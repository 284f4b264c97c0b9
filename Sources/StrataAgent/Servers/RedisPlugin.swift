#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// Redis: `redis-server` processes; identity, metrics and keyspaces from `INFO` over the Redis protocol on
/// the first listening port (`redis.password` from the credentials file for `AUTH`). Services are the
/// keyspace databases (`db0`, …) with their key counts.
public struct RedisPlugin: ServerPlugin {
    public var type: String { "redis" }
    public var processNames: Set<String> { ["redis-server"] }
    public var controlActions: [ControlAction] {
        [ControlAction("stop", "save (when configured) and shut down (SIGTERM)", .signal(SIGTERM))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        process.name == "redis-server" && !process.listeningPorts.isEmpty
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "redis:\(process.listeningPorts.first ?? 0)"
    }

    /// Start from the configuration file the server reported (`config_file` in INFO): redis-server writes its title
    /// over its arguments, so they cannot be run again. Stop is SIGTERM (saves when persistence is configured).
    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        guard let config = launch.configFiles.first else {
            return ServerLifecycle(start: nil, cannotStart: "redis-server shows only its title, and it reported no configuration file to start it from",
                                   stop: .signal(SIGTERM), reload: nil)
        }
        return ServerLifecycle(start: .launch([launch.executable, config]), stop: .signal(SIGTERM), reload: nil)
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let port = process.listeningPorts.first ?? 6379
        var report = ServerReport(key: key(for: process, context: context), name: "redis :\(port)",
                                  properties: [("type", .string("redis")), ("executable", .string(process.executable)),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        do {
            let info = try Self.info(port: port, password: context.settings["redis.password"], timeoutMs: context.timeoutMs)
            Self.apply(info, to: &report)
        } catch {
            report.status = .failed("\(error)")
        }
        return report
    }

    /// Metric name, type and INFO field of each server-level reading.
    static let fields: [(metric: String, counter: Bool, field: String)] = [
        ("redis_uptime_seconds", false, "uptime_in_seconds"),
        ("redis_connected_clients", false, "connected_clients"),
        ("redis_blocked_clients", false, "blocked_clients"),
        ("redis_memory_used_bytes", false, "used_memory"),
        ("redis_memory_rss_bytes", false, "used_memory_rss"),
        ("redis_connections_received_total", true, "total_connections_received"),
        ("redis_connections_rejected_total", true, "rejected_connections"),
        ("redis_commands_processed_total", true, "total_commands_processed"),
        ("redis_keyspace_hits_total", true, "keyspace_hits"),
        ("redis_keyspace_misses_total", true, "keyspace_misses"),
        ("redis_expired_keys_total", true, "expired_keys"),
        ("redis_evicted_keys_total", true, "evicted_keys"),
        ("redis_net_input_bytes_total", true, "total_net_input_bytes"),
        ("redis_net_output_bytes_total", true, "total_net_output_bytes"),
    ]

    /// Fills `report` from the `INFO` text: version and role, server metrics, one service per keyspace.
    static func apply(_ info: [String: String], to report: inout ServerReport) {
        if let version = info["redis_version"] { report.properties.append(("version", .string(version))) }
        if let role = info["role"] { report.properties.append(("role", .string(role))) }
        if let mode = info["redis_mode"] { report.properties.append(("mode", .string(mode))) }
        if let config = info["config_file"], !config.isEmpty { report.properties.append(("config_files", .list([.string(config)]))) }
        for field in fields {
            guard let text = info[field.field], let value = Double(text) else { continue }
            if field.counter { report.metrics.counter(field.metric, value) } else { report.metrics.gauge(field.metric, value) }
        }
        for (name, value) in info.sorted(by: { $0.key < $1.key }) where name.hasPrefix("db") && Int(name.dropFirst(2)) != nil {
            var service = ServiceReport(key: name, name: name, properties: [("kind", .string("keyspace"))])
            for pair in value.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let number = Double(parts[1]) else { continue }
                switch parts[0] {
                case "keys": service.metrics.gauge("redis_keyspace_keys", number)
                case "expires": service.metrics.gauge("redis_keyspace_expiring_keys", number)
                default: break
                }
            }
            report.services.append(service)
        }
    }

    /// `INFO` from the server on `port` as field → value, after `AUTH` when a password is given.
    static func info(port: UInt16, password: String?, timeoutMs: Int32) throws -> [String: String] {
        var client = try HTTPClient(baseURL: "http://127.0.0.1:\(port)")
        client.timeoutMs = timeoutMs
        var request = password.map { command(["AUTH", $0]) } ?? []
        request += command(["INFO"])
        let expectedReplies = password == nil ? 1 : 2
        let answer = try client.exchange(request) { bytes in (try? RESPReader.replies(bytes, count: expectedReplies)) != nil }
        return try parseInfo(answer, afterAuth: password != nil)
    }

    /// The fields of an `INFO` answer (preceded by the `AUTH` reply when `afterAuth`); throws for anything else.
    public static func parseInfo(_ answer: [UInt8], afterAuth: Bool) throws -> [String: String] {
        let replies = try RESPReader.replies(answer, count: afterAuth ? 2 : 1)
        guard case .bulk(let text) = replies.last! else {
            if case .error(let message) = replies.last! { throw RedisError(description: "INFO refused: \(message)") }
            throw RedisError(description: "INFO answered something else than a bulk string")
        }
        if afterAuth, case .error(let message) = replies[0] { throw RedisError(description: "AUTH refused: \(message)") }
        var fields: [String: String] = [:]
        for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return fields
    }

    /// A command as a RESP array of bulk strings.
    static func command(_ parts: [String]) -> [UInt8] {
        var out = "*\(parts.count)\r\n"
        for part in parts { out += "$\(part.utf8.count)\r\n\(part)\r\n" }
        return Array(out.utf8)
    }
}

/// Why Redis could not be read.
struct RedisError: Error, CustomStringConvertible {
    var description: String
}

/// Just enough of the Redis protocol (RESP2) to read replies: simple strings, errors, integers, bulk strings.
enum RESPReader {
    enum Reply: Equatable {
        case simple(String)
        case error(String)
        case integer(Int64)
        case bulk(String)
        case null
    }

    /// Exactly `count` complete replies from `bytes`; throws when incomplete or malformed.
    static func replies(_ bytes: [UInt8], count: Int) throws -> [Reply] {
        var index = 0
        var replies: [Reply] = []
        while replies.count < count {
            guard index < bytes.count, let lineEnd = lineEnd(bytes, from: index) else { throw RedisError(description: "incomplete reply") }
            // A reply is a type byte and a line; an empty line (found by the fuzzer) is not one.
            guard lineEnd > index else { throw RedisError(description: "empty reply line") }
            let line = String(decoding: bytes[(index + 1)..<lineEnd], as: UTF8.self)
            let marker = bytes[index]
            index = lineEnd + 2
            switch marker {
            case UInt8(ascii: "+"): replies.append(.simple(line))
            case UInt8(ascii: "-"): replies.append(.error(line))
            case UInt8(ascii: ":"): replies.append(.integer(Int64(line) ?? 0))
            case UInt8(ascii: "$"):
                guard let length = Int(line) else { throw RedisError(description: "bad bulk length \(line)") }
                if length < 0 { replies.append(.null); continue }
                guard length <= 64 << 20, index + length + 2 <= bytes.count else { throw RedisError(description: "incomplete reply") }
                replies.append(.bulk(String(decoding: bytes[index..<(index + length)], as: UTF8.self)))
                index += length + 2
            default: throw RedisError(description: "not a Redis reply")
            }
        }
        return replies
    }

    private static func lineEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 1 < bytes.count {
            if bytes[index] == 13 && bytes[index + 1] == 10 { return index }
            index += 1
        }
        return nil
    }
}
