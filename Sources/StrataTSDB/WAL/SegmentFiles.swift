#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why a storage file operation failed.
public struct StorageIOError: Error, Sendable, CustomStringConvertible {
    /// What was being done and to which path.
    public var operation: String
    /// errno.
    public var code: Int32

    public var description: String { "\(operation) failed: \(String(cString: strerror(code)))" }
}

/// Plain POSIX file helpers for the storage engine.
enum Files {
    static func makeDirectory(_ path: String) throws(StorageIOError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw StorageIOError(operation: "mkdir \(current)", code: errno) }
        }
    }

    static func list(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readAll(_ path: String) throws(StorageIOError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            done += count
        }
        return Array(bytes[0..<done])
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(StorageIOError) {
        var done = 0
        while done < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StorageIOError(operation: "write \(path)", code: errno)
            }
            done += count
        }
    }

    /// Removes a directory and everything below it (a block, an unfinished block, a staging directory).
    static func removeTree(_ path: String) {
        for name in list(path) {
            let child = path + "/" + name
            if isDirectory(child) { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Writes `bytes` to a new file at `path` and fsyncs it.
    static func writeSynced(_ path: String, _ bytes: [UInt8]) throws(StorageIOError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        try writeAll(fd, bytes, path: path)
        guard fsync(fd) == 0 else { throw StorageIOError(operation: "fsync \(path)", code: errno) }
    }

    /// Writes a new file of `length` zero bytes at `path` and fsyncs it.
    static func writeZeros(_ path: String, length: Int) throws(StorageIOError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: min(length, 64 << 10))
        var remaining = length
        while remaining > 0 {
            let count = min(remaining, chunk.count)
            try writeAll(fd, count == chunk.count ? chunk : Array(chunk.prefix(count)), path: path)
            remaining -= count
        }
        guard fdatasync(fd) == 0 else { throw StorageIOError(operation: "fsync \(path)", code: errno) }
    }

    static func rename(_ from: String, _ to: String) throws(StorageIOError) {
        guard Glibc.rename(from, to) == 0 else { throw StorageIOError(operation: "rename \(from) to \(to)", code: errno) }
    }

    static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    static func truncate(_ path: String, to length: Int) throws(StorageIOError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0, fsync(fd) == 0 else { throw StorageIOError(operation: "truncate \(path)", code: errno) }
    }
}
