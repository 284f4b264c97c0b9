#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a file operation failed, with the path and the system's reason.
public struct FileError: Error, Sendable, CustomStringConvertible {
    /// The path involved.
    public var path: String
    /// What was being done.
    public var operation: String
    /// errno at the time.
    public var code: Int32

    public var description: String {
        "\(operation) \(path) failed: \(String(cString: strerror(code)))"
    }
}

/// Small durable-file helpers: atomic replace with fsync, directory creation.
enum FileIO {
    /// Writes `bytes` to `path` atomically: a temporary file is written, fsynced and renamed over `path`,
    /// then the directory is fsynced, so a crash leaves either the old or the new content.
    static func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600) throws(FileError) {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileError(path: temporary, operation: "open", code: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw FileError(path: temporary, operation: "write", code: code)
            }
            written += count
        }
        guard fsync(fd) == 0 else {
            let code = errno
            close(fd)
            throw FileError(path: temporary, operation: "fsync", code: code)
        }
        close(fd)
        guard rename(temporary, path) == 0 else { throw FileError(path: path, operation: "rename", code: errno) }
        syncDirectory(of: path)
    }

    /// fsyncs the directory holding `path` so a rename or unlink survives a crash.
    static func syncDirectory(of path: String) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    /// Creates `path` and its parents (like `mkdir -p`).
    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw FileError(path: current, operation: "mkdir", code: errno)
            }
        }
    }

    /// Size of the file at `path`, or nil.
    static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_size)
    }
}
