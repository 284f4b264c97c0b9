import Foundation
import Synchronization
import StrataAgent

/// Errors of the process harness, with what to do about them.
enum HarnessError: Error, CustomStringConvertible {
    case binaryMissing(String)
    case timeout(String)
    case api(String)

    var description: String {
        switch self {
        case .binaryMissing(let path): return "\(path) is missing: run `swift build` (make test does) before the integration tests"
        case .timeout(let what): return "timed out waiting for \(what)"
        case .api(let what): return "API answer not understood: \(what)"
        }
    }
}

/// A real `strata` process started from the debug build, with its output captured to files.
final class StrataProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched from the test that owns this object.
    static let packageRoot: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()
    static let binary = packageRoot + "/.build/debug/strata"

    let process = Process()
    let logPath: String

    /// Runs `executable` (default: the debug `strata`) with `arguments`, output to `logPath`.
    init(executable: String = StrataProcess.binary, _ arguments: [String], environment: [String: String] = [:], logPath: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw HarnessError.binaryMissing(executable) }
        self.logPath = logPath
        guard FileManager.default.createFile(atPath: logPath, contents: nil) else { throw HarnessError.api("cannot create \(logPath)") }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    var isRunning: Bool { process.isRunning }
    /// The process id.
    var pid: Int32 { process.processIdentifier }

    /// SIGKILL: no chance to clean up.
    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGKILL for the process and its children (nginx's workers); waits at most 5 s for it to be gone.
    /// Foundation may not reap a child of the test runner promptly (SIGCHLD is blocked on its threads), so
    /// this does not rely on `waitUntilExit`: a killed process has closed its sockets even before it is reaped.
    func killTree() { Self.killTree(process.processIdentifier) }

    /// Kills `pid` and its children (any process, e.g. one an agent started), waiting until it is gone.
    static func killTree(_ pid: Int32) {
        // Stopped first: a live nginx master respawns the workers killed below, and those outlive the test.
        kill(pid, SIGSTOP)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let child = Int32(entry), let stat = procText("/proc/\(child)/stat"),
                  let close = stat.lastIndex(of: ")") else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == pid { kill(child, SIGKILL) }
        }
        kill(pid, SIGKILL)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, let state = procText("/proc/\(pid)/stat"), !state.contains(") Z") {
            usleep(20_000)
        }
    }

    /// A /proc file read to its end (its size shows as 0, so size-based readers return nothing).
    static func procText(_ path: String) -> String? {
        // POSIX reads: Foundation's FileHandle traps when the process vanishes while its file is read (ESRCH).
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }

    /// SIGTERM and wait for exit.
    func terminate() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A server and agents on loopback with known credentials and a scratch directory.
struct Testbed {
    static let password = "integration-password"
    /// This bed's enrollment token: an agent of another bed (whose server once listened on a port this bed now
    /// uses) is refused, not mistaken for one of ours.
    let agentToken = "sat_integration_" + String(UInt64.random(in: 1...UInt64.max), radix: 16)
    let directory: String
    let port: Int

    init(_ name: String) throws {
        directory = "/tmp/strata-tests/\(name)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Servers under test that drop privileges (Apache's www-data, PostgreSQL's postgres) must reach
        // their files: the parent is traversable, not listable; each bed is readable.
        chmod("/tmp/strata-tests", 0o711)
        chmod(directory, 0o755)
        port = try Testbed.freePort()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func startServer(environment extra: [String: String] = [:]) throws -> StrataProcess {
        let server = try StrataProcess(["server", "--listen", "127.0.0.1:\(port)", "--data", directory + "/server"],
                                       environment: ["STRATA_BOOTSTRAP_ADMIN_PASSWORD": Self.password,
                                                     "STRATA_BOOTSTRAP_AGENT_TOKEN": agentToken].merging(extra) { $1 },
                                       logPath: directory + "/server.log")
        try waitUntil("the server's /healthz", timeout: 30) {
            if extra["STRATA_TLS"] != nil {
                return (try? curl(["--cacert", directory + "/server/tls/ca.pem", "https://127.0.0.1:\(port)/healthz"]))?.status == 0
            }
            return (try? HTTPClient(baseURL: url).send(method: "GET", path: "/healthz").status) == 200
        }
        return server
    }

    func startAgent(interval: String = "1s", hostRoot: String = "/") throws -> StrataProcess {
        try StrataProcess(["agent", "--server", url, "--data", directory + "/agent", "--interval", interval],
                          environment: ["STRATA_AGENT_TOKEN": agentToken, "STRATA_HOST_ROOT": hostRoot],
                          logPath: directory + "/agent.log")
    }

    /// Enrolls `agentID` for the platform with natural key `platformKey`; returns its credential.
    func enroll(agentID: String, platformKey: String) throws -> String {
        let body = try JSONSerialization.data(withJSONObject: ["agentId": agentID, "platformKey": platformKey])
        let response = try HTTPClient(baseURL: url).send(method: "POST", path: "/api/agent/v1/enroll", headers: [
            ("Authorization", "Bearer \(agentToken)"), ("Content-Type", "application/json"),
        ], body: Array(body))
        guard let envelope = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              let credential = (envelope["data"] as? [String: Any])?["credential"] as? String else {
            throw HarnessError.api("enroll answered \(response.status): \(response.text.prefix(200))")
        }
        return credential
    }

    /// Sequence numbers waiting in the agent's spool.
    func spooled() -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/agent/spool")) ?? [])
            .filter { $0.hasSuffix(".batch") }.compactMap { UInt64($0.dropLast(6)) }.sorted()
    }

    /// The agent's last used sequence number.
    func agentLastSequence() -> UInt64 {
        AgentState.load(path: directory + "/agent/agent.state").lastSequence
    }

    /// GETs an API path as admin and returns the envelope's data.
    func get(_ path: String) throws -> Any {
        try send("GET", path)
    }

    /// Sends `method path` as admin, with a JSON `body` if given, and returns the envelope's data.
    @discardableResult
    func send(_ method: String, _ path: String, json body: String? = nil) throws -> Any {
        let credentials = Data("admin:\(Self.password)".utf8).base64EncodedString()
        let response = try HTTPClient(baseURL: url).send(method: method, path: path,
                                                         headers: [("Authorization", "Basic \(credentials)")] + (body == nil ? [] : [("Content-Type", "application/json")]),
                                                         body: Array((body ?? "").utf8))
        guard let envelope = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
              envelope["status"] as? String == "success", let data = envelope["data"] else {
            throw HarnessError.api("\(path) answered \(response.status): \(response.text.prefix(200))")
        }
        return data
    }

    /// The platform resources.
    func platforms() throws -> [[String: Any]] {
        try get("/api/v1/resources?kind=platform") as? [[String: Any]] ?? []
    }

    /// The samples of the platform's series `metric` with optional exact labels.
    func samples(platformID: String, metric: String, labels: [String: String] = [:]) throws -> [(Int64, Double)] {
        let series = try get("/api/v1/resources/\(platformID)/series") as? [[String: Any]] ?? []
        guard let entry = series.first(where: { $0["metric"] as? String == metric && ($0["labels"] as? [String: String] ?? [:]) == labels }),
              let id = entry["id"] as? String else { return [] }
        let data = try get("/api/v1/series/\(id)/samples?from=0&to=99999999999999") as? [String: Any] ?? [:]
        return (data["samples"] as? [[NSNumber]] ?? []).map { ($0[0].int64Value, $0[1].doubleValue) }
    }

    /// Ports handed out by this process: never handed out twice, so a bed whose server is down for a restart
    /// keeps its port.
    private static let handedOut = Mutex<Set<Int>>([])

    /// A loopback port nothing listens on and no other bed of this process was given: from `STRATA_TEST_PORTS`
    /// (`FIRST-LAST`) when set, so runs sharing a machine can keep to their own ports, else any the system picks.
    static func freePort() throws -> Int {
        if let range = ProcessInfo.processInfo.environment["STRATA_TEST_PORTS"]?.split(separator: "-").compactMap({ Int($0) }),
           range.count == 2, range[0] > 0, range[0] <= range[1], range[1] < 65_536 {
            for port in range[0]...range[1] where canBind(port) && handedOut.withLock({ $0.insert(port).inserted }) { return port }
            throw POSIXError(.EADDRINUSE)
        }
        for _ in 0..<100 {
            let port = try unusedPort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
        throw POSIXError(.EADDRINUSE)
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs a command to completion; returns its exit status and standard output (standard error discarded).
func runTool(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// curl, silent, failing on nothing (the HTTP status is printed last by `-w`).
func curl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runTool("/usr/bin/curl", ["-sS", "--max-time", "10"] + arguments)
}

/// Polls `condition` every 100 ms until it holds or `timeout` seconds pass.
func waitUntil(_ what: String, timeout: Double, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return }
        usleep(100_000)
    }
    throw HarnessError.timeout(what)
}

/// Runs the `strata` CLI to completion and returns its exit status and standard output.
func runCLI(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
    guard FileManager.default.isExecutableFile(atPath: StrataProcess.binary) else {
        throw HarnessError.binaryMissing(StrataProcess.binary)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: StrataProcess.binary)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
