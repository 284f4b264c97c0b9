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
    /// Remote TCP ports of its established connections (to find what it depends on), sorted.
    public var connectedPorts: [UInt16]
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
            var connected: Set<UInt16> = []
            for fd in fs.list("/proc/\(pid)/fd") {
                guard let target = fs.readLink("/proc/\(pid)/fd/\(fd)"), target.hasPrefix("socket:["),
                      let inode = UInt64(target.dropFirst(8).dropLast()) else { continue }
                if let port = sockets.listening[inode] { listening.insert(port) }
                if let port = sockets.established[inode] { connected.insert(port) }
            }
            processes.append(ProcessEntry(pid: pid, ppid: ppid, name: comm, executable: fs.readLink("/proc/\(pid)/exe") ?? "",
                                          arguments: arguments, uid: uid, startTicks: start,
                                          listeningPorts: listening.sorted(), connectedPorts: connected.sorted()))
        }
        return ProcessTable(processes: processes.sorted { $0.pid < $1.pid })
    }

    /// The process with `pid`.
    public func process(_ pid: Int32) -> ProcessEntry? {
        processes.first { $0.pid == pid }
    }
}

/// TCP sockets by inode: listening ones with their local port, established ones with their remote port.
struct SocketTable {
    var listening: [UInt64: UInt16] = [:]
    var established: [UInt64: UInt16] = [:]

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
                case "01": if let port = port(fields[2]) { table.established[inode] = port }
                default: continue
                }
            }
        }
        return table
    }

    /// The port of `ADDRESS:PORT` (hex).
    static func port(_ field: Substring) -> UInt16? {
        guard let colon = field.lastIndex(of: ":") else { return nil }
        return UInt16(field[field.index(after: colon)...], radix: 16)
    }
}
