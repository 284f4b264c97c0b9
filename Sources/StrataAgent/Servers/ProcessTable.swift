/// One process as /proc shows it, with the TCP ports it listens on.
public struct ProcessEntry: Sendable, Equatable {
    /// Process id.
    public var pid: Int32
    /// Parent process id.
    public var ppid: Int32
    /// Short command name (`/proc/PID/comm`).
    public var name: String
    /// Executable path (`/proc/PID/exe`), empty when unreadable.
    public var executable: String
    /// Arguments (`/proc/PID/cmdline`).
    public var arguments: [String]
    /// Real user id.
    public var uid: UInt32
    /// Start time in clock ticks after boot: with the pid, it tells a restarted process from the old one.
    public var startTicks: UInt64
    /// TCP ports it listens on (IPv4 and IPv6), sorted.
    public var listeningPorts: [UInt16]
    /// Remote ends (`ADDRESS:PORT`, IPv6 in brackets) of the TCP connections it opened — established
    /// connections whose local port is not one it listens on — sorted and without repeats: what it depends on.
    public var connections: [String]

    /// Creates an entry.
    public init(pid: Int32, ppid: Int32, name: String, executable: String, arguments: [String], uid: UInt32, startTicks: UInt64,
                listeningPorts: [UInt16], connections: [String] = []) {
        self.pid = pid
        self.ppid = ppid
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.uid = uid
        self.startTicks = startTicks
        self.listeningPorts = listeningPorts
        self.connections = connections
    }
}

/// A snapshot of the processes under a `HostFS` root: `/proc/PID/{stat,comm,exe,cmdline,status,fd}` and
/// the socket tables `/proc/net/tcp{,6}`, joined by socket inode.
public struct ProcessTable: Sendable {
    /// Every readable process, by pid order.
    public var processes: [ProcessEntry]

    /// Reads the table now. Processes that vanish while being read are skipped.
    public static func read(_ fs: HostFS) -> ProcessTable {
        let sockets = SocketTable.read(fs)
        var processes: [ProcessEntry] = []
        for name in fs.list("/proc") {
            guard let pid = Int32(name), let fields = fs.processStatFields(name) else { continue }
            guard fields.count > 19, let ppid = Int32(fields[1]), let start = UInt64(fields[19]) else { continue }
            let comm = fs.readLine("/proc/\(pid)/comm") ?? ""
            let arguments = (fs.readBytes("/proc/\(pid)/cmdline", limit: 64 << 10) ?? [])
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            var uid: UInt32 = 0
            if let status = fs.read("/proc/\(pid)/status", limit: 16 << 10),
               let line = parseColonFile(status).first(where: { $0.key == "Uid" }),
               let first = line.value.fields.first, let parsed = UInt32(first) {
                uid = parsed
            }
            var listening: Set<UInt16> = []
            var established: [(local: UInt16, remote: String)] = []
            for fd in fs.list("/proc/\(pid)/fd") {
                guard let target = fs.readLink("/proc/\(pid)/fd/\(fd)"), target.hasPrefix("socket:["),
                      let inode = UInt64(target.dropFirst(8).dropLast()) else { continue }
                if let port = sockets.listening[inode] { listening.insert(port) }
                if let connection = sockets.established[inode] { established.append(connection) }
            }
            let outgoing = Set(established.filter { !listening.contains($0.local) }.map(\.remote))
            processes.append(ProcessEntry(pid: pid, ppid: ppid, name: comm, executable: fs.readLink("/proc/\(pid)/exe") ?? "",
                                          arguments: arguments, uid: uid, startTicks: start,
                                          listeningPorts: listening.sorted(), connections: outgoing.sorted()))
        }
        return ProcessTable(processes: processes.sorted { $0.pid < $1.pid })
    }

    /// The process with `pid`.
    public func process(_ pid: Int32) -> ProcessEntry? {
        processes.first { $0.pid == pid }
    }
}

/// TCP sockets by inode: listening ones with their local port, established ones with their local port and
/// remote end.
struct SocketTable {
    var listening: [UInt64: UInt16] = [:]
    var established: [UInt64: (local: UInt16, remote: String)] = [:]

    static func read(_ fs: HostFS) -> SocketTable {
        var table = SocketTable()
        for file in ["/proc/net/tcp", "/proc/net/tcp6"] {
            guard let text = fs.read(file, limit: 16 << 20) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                let fields = line.fields
                guard fields.count > 9, let inode = UInt64(fields[9]), inode != 0 else { continue }
                switch fields[3] {
                case "0A": if let port = port(fields[1]) { table.listening[inode] = port }
                case "01":
                    if let local = port(fields[1]), let remote = endpoint(fields[2]) { table.established[inode] = (local, remote) }
                default: continue
                }
            }
        }
        return table
    }

    /// `ADDRESS:PORT` as text from the kernel's hex form: IPv4 `0100007F:0CEA` → `127.0.0.1:3306`; IPv6 (four
    /// host-order words) → `[::1]:3306`, with IPv4-mapped addresses shown as IPv4.
    static func endpoint(_ field: Substring) -> String? {
        guard let colon = field.lastIndex(of: ":"), let port = port(field) else { return nil }
        let hex = field[..<colon]
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 8, limitedBy: hex.endIndex) ?? hex.endIndex
            guard let word = UInt32(hex[index..<next], radix: 16) else { return nil }
            // Each 32-bit word is in host (little-endian) order.
            bytes += [UInt8(word & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word >> 16 & 0xFF), UInt8(word >> 24)]
            index = next
        }
        if bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            bytes = Array(bytes[12...])
        }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") + ":\(port)" }
        guard bytes.count == 16 else { return nil }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return "[\(compressIPv6(groups))]:\(port)"
    }

    /// Eight hex groups in the shortest form (the longest run of two or more zero groups as `::`).
    static func compressIPv6(_ groups: [String]) -> String {
        var best = (start: -1, length: 0)
        var index = 0
        while index < groups.count {
            guard groups[index] == "0" else { index += 1; continue }
            var end = index
            while end < groups.count, groups[end] == "0" { end += 1 }
            if end - index > best.length { best = (index, end - index) }
            index = end
        }
        guard best.length >= 2 else { return groups.joined(separator: ":") }
        return groups[..<best.start].joined(separator: ":") + "::" + groups[(best.start + best.length)...].joined(separator: ":")
    }

    /// The port of `ADDRESS:PORT` (hex).
    static func port(_ field: Substring) -> UInt16? {
        guard let colon = field.lastIndex(of: ":") else { return nil }
        return UInt16(field[field.index(after: colon)...], radix: 16)
    }
}
