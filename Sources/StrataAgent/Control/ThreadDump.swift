#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A JVM's thread dump, at most 64 KiB: `jcmd PID Thread.print` run as the JVM's user when a jcmd is installed and it
/// answers; else SIGQUIT, which makes the JVM print the dump on its standard output, and the part of that file
/// (`catalina.out` under `catalina.sh start`) written after the signal — read once it stops growing.
struct ThreadDump: Sendable {
    let fs: HostFS
    /// The most of the dump reported.
    var limit = 64 << 10
    /// How long the file may take to receive the dump, and how long it must stay unchanged to be complete.
    var waitMs: Int64 = 10_000
    var settleMs: Int64 = 500

    /// The dump of the JVM `pid` as the outcome's output.
    func take(pid: Int32, jcmd: ChildProcess?, what: String) -> ActionOutcome {
        var note = ""
        if let jcmd {
            do {
                let ended = try jcmd.run()
                if ended.exitStatus == 0, !ended.stdout.isEmpty {
                    return ActionOutcome(succeeded: true, message: "thread dump of pid \(pid)\(what) by \(jcmd.path)", exitStatus: 0,
                                         stdout: Array(ended.stdout.prefix(limit)))
                }
                note = "\(jcmd.path) failed (\(String(decoding: (ended.stdout + ended.stderr).prefix(200), as: UTF8.self))); "
            } catch {
                note = "\(error); "
            }
        }
        // Where the JVM's stdout goes: only a regular file can be read back.
        guard let target = fs.readLink("/proc/\(pid)/fd/1"), target.hasPrefix("/"), Self.isRegularFile(target) else {
            return ActionOutcome(succeeded: false, message: note + "the standard output of pid \(pid)\(what) is not a file, so a SIGQUIT dump cannot be read back; install a JDK's jcmd")
        }
        let before = FileIO.size(target) ?? 0
        guard kill(pid, SIGQUIT) == 0 else {
            return ActionOutcome(succeeded: false, message: note + "SIGQUIT to pid \(pid)\(what): \(String(cString: strerror(errno)))")
        }
        let deadline = Clock.monotonicMs() + waitMs
        var size = before
        var changedAt = Clock.monotonicMs()
        while Clock.monotonicMs() < deadline {
            usleep(100_000)
            let now = FileIO.size(target) ?? size
            if now != size {
                size = now
                changedAt = Clock.monotonicMs()
            } else if size > before && Clock.monotonicMs() - changedAt >= settleMs {
                break
            }
        }
        guard size > before, let dump = Self.read(target, from: before, limit: limit) else {
            return ActionOutcome(succeeded: false, message: note + "sent SIGQUIT to pid \(pid)\(what), but nothing was written to \(target) within \(waitMs) ms")
        }
        return ActionOutcome(succeeded: true, message: note + "sent SIGQUIT to pid \(pid)\(what); the dump is what it wrote to \(target)", stdout: dump)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// At most `limit` bytes of `path` from byte `offset`, nil when unreadable.
    static func read(_ path: String, from offset: Int, limit: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: limit)
        var total = 0
        while total < limit {
            let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + total, limit - total, off_t(offset + total)) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            total += count
        }
        return Array(bytes.prefix(total))
    }
}
