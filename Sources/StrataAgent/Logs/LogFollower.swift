#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which file a descriptor or path refers to: device and inode.
struct FileIdentity: Equatable, Sendable {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// One complete line read from a followed file.
struct LogLine: Sendable {
    /// The line's bytes, without the newline.
    var bytes: ArraySlice<UInt8>
    /// Where the line starts: `device:inode:generation:offset`, unique for the file's life.
    var origin: LogPosition
}

/// A position in a followed file that survives rotation and restarts: the file's identity, how many times
/// it was truncated (so offsets after a truncation never repeat earlier ones), and the byte offset.
struct LogPosition: Equatable, Sendable, CustomStringConvertible {
    var identity: FileIdentity
    var generation: UInt32
    var offset: Int64

    /// `device:inode:generation:offset` (formatted by hand: one per log record, so it is on the hot path).
    var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48)
        func append(_ value: UInt64) {
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            var rest = value
            withUnsafeMutableBytes(of: &digits) { buffer in
                repeat {
                    buffer[count] = UInt8(rest % 10) + 0x30
                    rest /= 10
                    count += 1
                } while rest > 0
                for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
            }
        }
        append(identity.device)
        bytes.append(0x3A)
        append(identity.inode)
        bytes.append(0x3A)
        append(UInt64(generation))
        bytes.append(0x3A)
        append(UInt64(max(0, offset)))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Follows one log file by path, like `tail -F`, without losing or repeating a line:
///
/// - **rename rotation** (`app.log` → `app.log.1`, a new `app.log`): the old file stays open and is read to
///   its end — also what the writer appends before it reopens — for `retiredPolls` polls without growth;
///   the new file is read from its start;
/// - **copytruncate** (copied to a sibling, then truncated in place): a size below the read offset means
///   truncation; the bytes between the offset and the copy's end are read from the sibling whose first
///   bytes match, then the file from 0;
/// - **truncation** without a copy: read from 0;
/// - a partial last line waits for its newline (a line longer than `maxLineBytes` is cut).
///
/// Offsets are whole-line positions: `committed` never points into the middle of a line.
struct LogFollower: Sendable {
    /// The path as the host names it (events name this).
    let path: String
    /// The path as this process opens it (below `STRATA_HOST_ROOT`).
    let resolved: String
    private(set) var fd: Int32 = -1
    private(set) var position: LogPosition?
    /// Bytes read after the last newline, and where they start.
    private var partial: [UInt8] = []
    /// The first bytes of the file (up to `fingerprintBytes`), to recognise its copy after copytruncate.
    private(set) var fingerprint: [UInt8] = []
    /// Files rotated away by rename, still drained: descriptor, position, polls without growth.
    private var retired: [(fd: Int32, position: LogPosition, idle: Int, partial: [UInt8])] = []

    static let fingerprintBytes = 64
    static let maxLineBytes = 64 << 10
    static let retiredPolls = 5

    init(path: String, resolved: String) {
        self.path = path
        self.resolved = resolved
    }

    /// Where reading would resume after a restart: the start of the first line not yet returned.
    var committed: LogPosition? {
        position.map { LogPosition(identity: $0.identity, generation: $0.generation, offset: $0.offset - Int64(partial.count)) }
    }

    /// Opens the file for the first time: at `saved` when it is still this file (a restart), else at its end
    /// (`fromStart` false: history is not imported) or its start. A file rotated by rename while the agent was
    /// down is found among its siblings by identity and its rest read first, by `readSaved`.
    mutating func open(saved: (position: LogPosition, fingerprint: [UInt8])?, fromStart: Bool, lines: inout [LogLine]) {
        var info = stat()
        if let saved {
            if stat(resolved, &info) == 0, FileIdentity(info) == saved.position.identity {
                guard attach(startingAt: saved.position.offset, generation: saved.position.generation) else { return }
                fingerprint = saved.fingerprint
                if Int64(info.st_size) < saved.position.offset {
                    truncated(lines: &lines)
                }
                return
            }
            // Rotated by rename while we were away: finish the old file (found by its identity) first.
            if let sibling = siblings().first(where: { path in
                var sibling = stat()
                return stat(path, &sibling) == 0 && FileIdentity(sibling) == saved.position.identity
            }) {
                let oldFD = Glibc.open(sibling, O_RDONLY | O_CLOEXEC)
                if oldFD >= 0 {
                    retired.append((oldFD, saved.position, 0, []))
                    drainRetired(lines: &lines, final: false)
                }
            }
            _ = attach(startingAt: 0, generation: 0)
            return
        }
        guard stat(resolved, &info) == 0 else { return }
        _ = attach(startingAt: fromStart ? 0 : Int64(info.st_size), generation: 0)
    }

    /// Reads what was appended since the last poll (at most `budget` bytes), following rotation and truncation.
    mutating func poll(budget: Int, lines: inout [LogLine]) {
        drainRetired(lines: &lines, final: false)
        var info = stat()
        let exists = stat(resolved, &info) == 0
        guard fd >= 0, let current = position else {
            if exists { _ = attach(startingAt: 0, generation: 0) } else { return }
            read(budget: budget, lines: &lines)
            return
        }
        if exists, FileIdentity(info) != current.identity {
            // Rotated by rename (or replaced): keep draining the old file, follow the new one from its start.
            read(budget: budget, lines: &lines)
            retired.append((fd, position!, 0, partial))
            fd = -1
            partial = []
            position = nil
            _ = attach(startingAt: 0, generation: 0)
        } else {
            // Shrunk below our offset, or regrown past it with other first bytes: truncated since the last poll.
            var own = stat()
            if fstat(fd, &own) == 0, Int64(own.st_size) < current.offset
                || (!fingerprint.isEmpty && current.offset > 0 && !Self.readFingerprint(fd).starts(with: fingerprint)) {
                truncated(lines: &lines)
            }
        }
        read(budget: budget, lines: &lines)
    }

    /// Closes every descriptor (a final drain of rotated files first).
    mutating func close(lines: inout [LogLine]) {
        drainRetired(lines: &lines, final: true)
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    // MARK: - Reading

    private mutating func attach(startingAt offset: Int64, generation: UInt32) -> Bool {
        let descriptor = Glibc.open(resolved, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        var info = stat()
        fstat(descriptor, &info)
        fd = descriptor
        position = LogPosition(identity: FileIdentity(info), generation: generation, offset: offset)
        partial = []
        fingerprint = Self.readFingerprint(descriptor)
        return true
    }

    /// The file shrank below our offset: copytruncate (its copy holds what we had not read) or plain truncation.
    private mutating func truncated(lines: inout [LogLine]) {
        guard var current = position else { return }
        if !fingerprint.isEmpty, let copy = siblings().first(where: { sibling in
            let descriptor = Glibc.open(sibling, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { return false }
            defer { Glibc.close(descriptor) }
            var info = stat()
            return fstat(descriptor, &info) == 0 && Int64(info.st_size) >= current.offset
                && Array(Self.readFingerprint(descriptor).prefix(fingerprint.count)) == fingerprint
        }) {
            let descriptor = Glibc.open(copy, O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 {
                var copyPosition = current
                var copyPartial = partial
                Self.readAll(descriptor, position: &copyPosition, partial: &copyPartial, budget: .max, lines: &lines)
                Self.flush(&copyPartial, position: copyPosition, lines: &lines)
                Glibc.close(descriptor)
                partial = []
            }
        }
        Self.flush(&partial, position: current, lines: &lines)
        current.generation &+= 1
        current.offset = 0
        position = current
        fingerprint = []
    }

    private mutating func read(budget: Int, lines: inout [LogLine]) {
        guard fd >= 0, var current = position else { return }
        Self.readAll(fd, position: &current, partial: &partial, budget: budget, lines: &lines)
        position = current
        if fingerprint.count < Self.fingerprintBytes { fingerprint = Self.readFingerprint(fd) }
    }

    private mutating func drainRetired(lines: inout [LogLine], final: Bool) {
        var index = 0
        while index < retired.count {
            var entry = retired[index]
            let before = entry.position.offset
            Self.readAll(entry.fd, position: &entry.position, partial: &entry.partial, budget: .max, lines: &lines)
            entry.idle = entry.position.offset == before ? entry.idle + 1 : 0
            if final || entry.idle >= Self.retiredPolls {
                Self.flush(&entry.partial, position: entry.position, lines: &lines)
                Glibc.close(entry.fd)
                retired.remove(at: index)
            } else {
                retired[index] = entry
                index += 1
            }
        }
    }

    /// Reads from `position.offset` to the end (or `budget` bytes), splitting complete lines off `partial`.
    private static func readAll(_ fd: Int32, position: inout LogPosition, partial: inout [UInt8], budget: Int,
                                lines: inout [LogLine]) {
        var buffer = [UInt8](repeating: 0, count: 256 << 10)
        var remaining = budget
        while remaining > 0 {
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, min($0.count, remaining), off_t(position.offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            remaining -= count
            var lineStart = 0
            for index in 0..<count where buffer[index] == 0x0A {
                let start = position.offset - Int64(partial.count)
                var line: ArraySlice<UInt8>
                if partial.isEmpty {
                    line = buffer[lineStart..<index]
                } else {
                    partial.append(contentsOf: buffer[lineStart..<index])
                    line = partial[...]
                    partial = []
                }
                if line.last == 0x0D { line = line.dropLast() }
                lines.append(LogLine(bytes: ArraySlice(line.prefix(maxLineBytes)),
                                     origin: LogPosition(identity: position.identity, generation: position.generation, offset: start)))
                position.offset += Int64(index - lineStart + 1)
                lineStart = index + 1
            }
            partial.append(contentsOf: buffer[lineStart..<count])
            position.offset += Int64(count - lineStart)
            if partial.count > maxLineBytes {
                // A line this long is cut: what we have becomes a line, the rest of it a new one.
                flush(&partial, position: position, lines: &lines)
            }
        }
    }

    /// Returns a partial last line as a line (its file will not grow any more).
    private static func flush(_ partial: inout [UInt8], position: LogPosition, lines: inout [LogLine]) {
        guard !partial.isEmpty else { return }
        let start = LogPosition(identity: position.identity, generation: position.generation, offset: position.offset - Int64(partial.count))
        lines.append(LogLine(bytes: ArraySlice(partial.prefix(maxLineBytes)), origin: start))
        partial = []
    }

    private static func readFingerprint(_ fd: Int32) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: fingerprintBytes)
        let count = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, 0) }
        return count > 0 ? Array(bytes[..<count]) : []
    }

    /// Files beside this one that rotation may have produced (`app.log.1`, `app.log-20261122`, `app.1.log`),
    /// most recently modified first.
    private func siblings() -> [String] {
        let slash = resolved.lastIndex(of: "/") ?? resolved.startIndex
        let directory = String(resolved[..<slash])
        let base = String(resolved[resolved.index(after: slash)...])
        let stem = base.split(separator: ".").first.map(String.init) ?? base
        guard let dir = opendir(directory.isEmpty ? "/" : directory) else { return [] }
        defer { closedir(dir) }
        var found: [(path: String, mtime: Int)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name != base, name.hasPrefix(stem), !name.hasSuffix(".gz"), !name.hasSuffix(".xz"), !name.hasSuffix(".zst") else { continue }
            var info = stat()
            let full = directory + "/" + name
            guard stat(full, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            found.append((full, Int(info.st_mtim.tv_sec)))
        }
        return found.sorted { $0.mtime > $1.mtime }.map(\.path)
    }
}
