import StrataCore
import Synchronization

/// The launch records of every server the discovery found (`ServerLaunch`), by the server's key, with the lifecycle
/// its plugin makes of each: in memory, and in `DATA/server-launches.json` (0600) so that a server that went down
/// can be started again after the agent restarted. A record is read from `/proc` once per process (pid and start
/// time) and the file rewritten (atomically) only when a record changed. Shared by the discovery, which notes, and
/// the command thread, which reads: behind a lock.
final class ServerLaunchBook: Sendable {
    /// One server's record.
    struct Entry: Sendable, Equatable {
        var launch: ServerLaunch
        var lifecycle: ServerLifecycle
        /// The process it was read from; 0 for a record loaded from the file and not seen running since.
        var pid: Int32
        var startTicks: UInt64
    }

    let path: String?
    private let entries: Mutex<[String: Entry]>

    /// A book kept in `path` (nil: in memory only), loaded with the lifecycles `lifecycle` makes of each record; an
    /// unreadable file starts it empty.
    init(path: String?, lifecycle: (ServerLaunch) -> ServerLifecycle) {
        self.path = path
        var loaded: [String: Entry] = [:]
        if let path, let text = HostFS().read(path, limit: 16 << 20), case .map(let records)? = try? PropertyValue(json: text) {
            for (key, value) in records {
                guard let launch = ServerLaunch(property: value) else { continue }
                loaded[key] = Entry(launch: launch, lifecycle: lifecycle(launch), pid: 0, startTicks: 0)
            }
        }
        entries = Mutex(loaded)
    }

    /// The record of server `key` run by `process`: the one noted for this process, else a new one from `read`
    /// (stored and saved); nil when none can be read and none was noted before.
    @discardableResult
    func note(_ key: String, process: ProcessEntry, read: () -> Entry?) throws(FileError) -> Entry? {
        if let known = entries.withLock({ $0[key] }), known.pid == process.pid, known.startTicks == process.startTicks { return known }
        guard let fresh = read() else { return entries.withLock { $0[key] } }
        let changed = entries.withLock { entries in
            let before = entries[key]
            entries[key] = fresh
            return before?.launch != fresh.launch
        }
        if changed { try save() }
        return fresh
    }

    /// The record of server `key`.
    func entry(_ key: String) -> Entry? { entries.withLock { $0[key] } }

    /// Every record, by key.
    var all: [String: Entry] { entries.withLock { $0 } }

    private func save() throws(FileError) {
        guard let path else { return }
        let records = entries.withLock { $0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value.launch.property) }
        try FileIO.writeAtomically(Array(PropertyValue.map(records).json.utf8), to: path, mode: 0o600)
    }
}
