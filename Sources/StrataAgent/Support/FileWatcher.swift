#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells whether anything changed in a set of directories since the last question, through inotify
/// (non-blocking; nil where the kernel refuses it, and callers then poll with `stat`).
final class FileWatcher: @unchecked Sendable {
    // Sendable: used by the agent's single collection thread only; the class exists for `deinit`.
    private let fd: Int32
    private var watched: [String: Int32] = [:]

    init?() {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
    }

    deinit { close(fd) }

    /// Watches exactly `directories` (adding and removing watches as needed); false if one could not be watched.
    func watch(_ directories: Set<String>) -> Bool {
        var complete = true
        for (directory, descriptor) in watched where !directories.contains(directory) {
            inotify_rm_watch(fd, descriptor)
            watched[directory] = nil
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_MODIFY | IN_ATTRIB)
        for directory in directories where watched[directory] == nil {
            let descriptor = inotify_add_watch(fd, directory, mask)
            if descriptor >= 0 { watched[directory] = descriptor } else { complete = false }
        }
        return complete
    }

    /// Whether events arrived since the last call (they are consumed).
    func changed() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var any = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard count > 0 else { return any }
            any = true
        }
    }
}
