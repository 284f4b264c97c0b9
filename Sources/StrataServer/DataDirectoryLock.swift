import Foundation

/// One server per data directory: an exclusive `flock` on `DATA/lock`, taken before anything in the directory is
/// read or replayed and held for the life of the process. The kernel drops it when the process dies, so a
/// server killed with -9 leaves no stale lock; the file names the holder's pid for the message a second server
/// prints.
final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock of `directory` or throws `ServerStartError.dataDirectory` naming the holder.
    init(directory: String) throws {
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw ServerStartError.dataDirectory("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = read(fd, &buffer, buffer.count)
            close(fd)
            guard reason == EWOULDBLOCK else {
                throw ServerStartError.dataDirectory("cannot lock \(path): \(String(cString: strerror(reason)))")
            }
            let holder = String(decoding: buffer.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw ServerStartError.dataDirectory(
                "\(directory) is in use by another strata server (pid \(holder.isEmpty ? "unknown" : holder)); stop it, or give this one another --data")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        descriptor = fd
    }

    deinit { close(descriptor) }
}

/// Whether the listen address can be bound, tried before the data directory is opened, so a server that could
/// not serve never replays its log or writes a block. (The real bind follows; a port taken in between still
/// fails there, with the same message.)
enum ListenProbe {
    static func check(host: String, port: Int) throws {
        guard port > 0 else { return }
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &results) == 0, let first = results else {
            throw ServerStartError.listen(address: "\(host):\(port)", reason: "the address is not one of this host's")
        }
        defer { freeaddrinfo(results) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw ServerStartError.listen(address: "\(host):\(port)", reason: reason(errno))
        }
    }

    /// What a bind failure means and what to do about it.
    static func reason(_ code: Int32) -> String {
        switch code {
        case EADDRINUSE: "the port is in use (another strata server, or another program); choose another with --listen"
        case EACCES: "permission denied (ports below 1024 need privileges); choose another with --listen"
        default: "the address is not one of this host's"
        }
    }
}
