#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// The script plugin: every executable file in the scripts directory (`scripts.directory`, default
/// `DATA/scripts`) runs once per collection and prints Prometheus text format; each script is a server of
/// type `script` (key `script:NAME`) holding its readings, with `up` 1 when it exited 0 within the
/// timeout (`scripts.timeout_ms`, default 5000) and printed valid text. A script runs as the agent's user,
/// so it must be owned by that user or root and writable by nobody else; others are skipped with a warning.
struct ScriptRunner: Sendable {
    /// The directory scripts are taken from.
    let directory: String
    /// Longest a script may run, in milliseconds.
    let timeoutMs: Int32
    /// Largest output read, in bytes.
    static let maxOutput = 1 << 20

    init(dataDirectory: String, settings: [String: String]) {
        directory = settings["scripts.directory"] ?? dataDirectory + "/scripts"
        timeoutMs = settings["scripts.timeout_ms"].flatMap { Int32($0) }.map { max(100, $0) } ?? 5000
    }

    /// Why a script cannot be run.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// The scripts that may run, and those refused with the reason.
    func scripts() -> (runnable: [String], refused: [(String, String)]) {
        var runnable: [String] = []
        var refused: [(String, String)] = []
        for name in HostFS(root: "").list(directory).sorted() where !name.hasPrefix(".") {
            let path = directory + "/" + name
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o111 != 0 else { continue }
            if info.st_uid != 0 && info.st_uid != getuid() {
                refused.append((path, "owned by uid \(info.st_uid), neither root nor the agent's user"))
            } else if info.st_mode & 0o022 != 0 {
                refused.append((path, "writable by group or others; chmod go-w it"))
            } else {
                runnable.append(path)
            }
        }
        return (runnable, refused)
    }

    /// Runs `path` and reports it as a server.
    func run(_ path: String) -> ServerReport {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        var report = ServerReport(key: "script:\(name)", name: "script \(name)",
                                  properties: [("type", .string("script")), ("path", .string(path))])
        do {
            let output = try Self.execute(path, timeoutMs: timeoutMs)
            for reading in try PrometheusText.parse(String(decoding: output, as: UTF8.self)) { report.metrics.append(reading) }
        } catch {
            report.status = .failed("\(error)")
        }
        return report
    }

    /// Runs `path` with no arguments, stdin and stderr on /dev/null, and returns its standard output; throws
    /// when it cannot start, runs longer than `timeoutMs` (it is killed), or exits other than 0.
    static func execute(_ path: String, timeoutMs: Int32) throws -> [UInt8] {
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { throw Refusal(description: "pipe: \(String(cString: strerror(errno)))") }
        // Neither end leaks into other children; the script gets the write end as its stdout through dup2.
        for fd in pipeFDs { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeFDs[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A clean signal state for the child, whatever the agent inherited.
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        defer { for pointer in argv { free(pointer) } }
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, [nil])
        close(pipeFDs[1])
        defer { close(pipeFDs[0]) }
        guard spawned == 0 else { throw Refusal(description: "cannot start: \(String(cString: strerror(spawned)))") }

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = monotonicMs() + Int64(timeoutMs)
        var timedOut = false
        while true {
            let left = deadline - monotonicMs()
            if left <= 0 { timedOut = true; break }
            var descriptor = pollfd(fd: pipeFDs[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { timedOut = ready == 0; break }
            let count = buffer.withUnsafeMutableBytes { read(pipeFDs[0], $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output.append(contentsOf: buffer[0..<count])
            if output.count > maxOutput { timedOut = false; kill(-pid, SIGKILL); _ = waitpid(pid, nil, 0); throw Refusal(description: "printed more than \(maxOutput) bytes") }
        }
        if timedOut {
            kill(-pid, SIGKILL)
            _ = waitpid(pid, nil, 0)
            throw Refusal(description: "still running after \(timeoutMs) ms; killed")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw Refusal(description: exited ? "exited with status \(code)" : "killed by signal \(status & 0x7f)")
        }
        return output
    }

    static func monotonicMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}
