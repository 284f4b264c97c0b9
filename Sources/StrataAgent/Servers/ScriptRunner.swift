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

    /// Runs `path` with no arguments and an empty environment (`ChildProcess`), and returns its standard output;
    /// throws when it cannot start, runs longer than `timeoutMs` (it is killed), prints more than `maxOutput` bytes,
    /// or exits other than 0.
    static func execute(_ path: String, timeoutMs: Int32) throws -> [UInt8] {
        let child = ChildProcess(path: path, arguments: [], environment: [], timeoutMs: Int64(timeoutMs), maxOutputBytes: maxOutput + 1)
        let ended: ChildProcess.Outcome
        do { ended = try child.run() } catch { throw Refusal(description: error.description) }
        if ended.timedOut { throw Refusal(description: "still running after \(timeoutMs) ms; killed") }
        if ended.stdout.count > maxOutput { throw Refusal(description: "printed more than \(maxOutput) bytes") }
        if let signal = ended.signal { throw Refusal(description: "killed by signal \(signal)") }
        guard ended.exitStatus == 0 else { throw Refusal(description: "exited with status \(ended.exitStatus ?? -1)") }
        return ended.stdout
    }
}
