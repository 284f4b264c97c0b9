#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Read-only access to the host's files through a configurable root (`STRATA_HOST_ROOT`, default `/`).
///
/// Tests point the root at recorded /proc, /sys and /etc trees; an agent in a container points it at the
/// host's root mounted inside. Every read is bounded and returns nil instead of failing.
public struct HostFS: Sendable {
    /// The root prefix without a trailing slash ("" for `/`).
    public let root: String

    /// Creates a view of the host under `root`.
    public init(root: String = "/") {
        var trimmed = root
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        self.root = trimmed
    }

    /// The absolute path of `path` (which starts with `/`) under the root.
    public func resolve(_ path: String) -> String { root + path }

    /// Whether the root is the real `/`, so live-only sources (getifaddrs, statvfs) describe this host.
    public var isLiveRoot: Bool { root.isEmpty }

    /// Reads a whole file as UTF-8 text (invalid bytes repaired), at most `limit` bytes.
    public func read(_ path: String, limit: Int = 4 << 20) -> String? {
        guard let bytes = readBytes(path, limit: limit) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads a file's first line without its newline, trimmed of spaces.
    public func readLine(_ path: String) -> String? {
        guard let text = read(path, limit: 64 << 10) else { return nil }
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = line.trimmingSpaces
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Reads a whole file's bytes, at most `limit` bytes.
    public func readBytes(_ path: String, limit: Int = 4 << 20) -> [UInt8]? {
        let fd = open(resolve(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while result.count < limit {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return result.isEmpty ? nil : result
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    /// Whether `path` exists (any file type).
    /// The fields of `/proc/PROCESS/stat` after `(comm)` (which may hold spaces): index 0 is the state
    /// (field 3 of proc(5)), 1 the ppid, 11/12 utime/stime, 17 threads, 19 starttime, 21 rss pages.
    public func processStatFields(_ process: String) -> [Substring]? {
        guard let stat = readLine("/proc/\(process)/stat"), let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].fields
    }

    public func exists(_ path: String) -> Bool {
        access(resolve(path), F_OK) == 0
    }

    /// The names in directory `path`, without `.` and `..`; empty if it cannot be read.
    public func list(_ path: String) -> [String] {
        guard let dir = opendir(resolve(path)) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The target of symbolic link `path`, if it is one.
    public func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(resolve(path), &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// Splits on runs of spaces and tabs.
    var fields: [Substring] {
        split(whereSeparator: { $0 == " " || $0 == "\t" }).map { Substring($0) }
    }
}

/// Parses `KEY=value` files such as /etc/os-release (quotes removed).
func parseKeyValueFile(_ text: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in text.split(separator: "\n") {
        let trimmed = line.trimmingSpaces
        guard !trimmed.hasPrefix("#"), let equals = trimmed.firstIndex(of: "=") else { continue }
        var value = String(trimmed[trimmed.index(after: equals)...])
        if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        result[String(trimmed[..<equals])] = value
    }
    return result
}

/// Parses `Key:   value` files such as /proc/meminfo and /proc/cpuinfo blocks.
func parseColonFile(_ text: some StringProtocol) -> [(key: String, value: String)] {
    var result: [(key: String, value: String)] = []
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        result.append((line[..<colon].trimmingSpaces, line[line.index(after: colon)...].trimmingSpaces))
    }
    return result
}
