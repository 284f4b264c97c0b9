#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import StrataCore

/// A configuration snapshot ready to send, with the resource it configures.
struct OwnedConfig: Sendable {
    var owner: FileOwner
    var snapshot: ConfigSnapshot
}

/// Tracks configuration files — each discovered server's (`config_files`) and configured paths
/// (`config.NAME.path = GLOB`, `config.NAME.server = TYPE`) — and sends a file's redacted content when it
/// changed: detected by content hash after inotify says its directory changed (stat polling every poll
/// where inotify is unavailable, and every `fullCheckEvery` polls anyway).
///
/// What was sent is remembered (`DATA/configs.state`, path and hash), saved after the spool write, so a
/// restart sends only what changed while the agent was away.
struct ConfigTracker: Sendable {
    let fs: HostFS
    let statePath: String?
    let logger: Logger?
    let redactor: Redactor?
    let settings: [String: String]
    private let watcher: FileWatcher?
    private var configured: [(pattern: String, ownerType: String?, owner: FileOwner)]
    private var serverFiles: [(pattern: String, owner: FileOwner)] = []
    private var tracked: [String: Tracked] = [:]
    /// Hashes of what the server has (from the state file, then from each spooled snapshot).
    private var sent: [String: String]
    private var pollsSinceFullCheck = Int.max

    static let fullCheckEvery = 60

    struct Tracked: Sendable {
        var owner: FileOwner
        var signature: [Int64]?
    }

    init(fs: HostFS, statePath: String?, settings: [String: String], hashKey: [UInt8], logger: Logger?) {
        self.fs = fs
        self.statePath = statePath
        self.logger = logger
        self.settings = settings
        do {
            redactor = try Redactor(keys: settings["config.redact_keys"] ?? Redactor.defaultKeys, hashKey: hashKey)
        } catch {
            logger?.error("configuration tracking is off: config.redact_keys does not compile", metadata: ["reason": "\(error)"])
            redactor = nil
        }
        watcher = FileWatcher()
        configured = settings.keys.filter { $0.hasPrefix("config.") && $0.hasSuffix(".path") }.sorted().compactMap { key in
            let name = key.dropFirst(7).dropLast(5)
            guard let pattern = settings[key], pattern.hasPrefix("/") else { return nil }
            return (pattern, settings["config.\(name).server"], FileOwner.platform)
        }
        sent = statePath.map(Self.loadState) ?? [:]
    }

    /// Replaces the discovered servers' configuration files (after each collection).
    mutating func setServers(_ servers: [ServerFiles]) {
        var files: [(pattern: String, owner: FileOwner)] = []
        if settings["config.servers"] != "off" {
            for server in servers {
                for file in server.configFiles { files.append((file, FileOwner(serverKey: server.key, name: server.name))) }
            }
        }
        // `config.NAME.server = TYPE` attaches a configured path to the server of that type.
        for index in configured.indices {
            if let owner = FileOwner.server(ofType: configured[index].ownerType, in: servers) { configured[index].owner = owner }
        }
        if files.map(\.pattern) != serverFiles.map(\.pattern) || files.map(\.owner) != serverFiles.map(\.owner) {
            serverFiles = files
            pollsSinceFullCheck = .max
        }
    }

    /// The files that changed since they were last sent, read and redacted.
    mutating func poll(nowMs: Int64) -> [OwnedConfig] {
        guard let redactor else { return [] }
        pollsSinceFullCheck = pollsSinceFullCheck == .max ? .max : pollsSinceFullCheck + 1
        let notified = watcher?.changed() ?? true
        guard notified || pollsSinceFullCheck >= Self.fullCheckEvery else { return [] }
        if pollsSinceFullCheck >= Self.fullCheckEvery {
            expand()
            pollsSinceFullCheck = 0
        }
        var snapshots: [OwnedConfig] = []
        for path in tracked.keys.sorted() {
            var file = tracked[path]!
            let signature = Self.signature(fs.resolve(path))
            defer { tracked[path] = file }
            guard signature != file.signature else { continue }
            file.signature = signature
            var snapshot = ConfigSnapshot(resourceIndex: 0, path: path, state: .present, observedMs: nowMs, content: "")
            if signature == nil {
                guard sent[path] != nil, sent[path] != "deleted" else { continue }
                snapshot.state = .deleted
            } else if let bytes = fs.readBytes(path, limit: ConfigSnapshot.maxContentBytes + 1) {
                if bytes.count > ConfigSnapshot.maxContentBytes {
                    snapshot.state = .untracked
                    snapshot.content = "larger than \(ConfigSnapshot.maxContentBytes) bytes"
                } else if bytes.contains(0) {
                    snapshot.state = .untracked
                    snapshot.content = "binary content"
                } else {
                    snapshot.content = redactor.redact(String(decoding: bytes, as: UTF8.self))
                }
            } else {
                snapshot.state = .untracked
                snapshot.content = "not readable by the agent"
            }
            let hash = Self.hash(snapshot)
            guard sent[path] != hash else { continue }
            sent[path] = hash
            snapshots.append(OwnedConfig(owner: file.owner, snapshot: snapshot))
        }
        return snapshots
    }

    /// Saves what was sent (call after the spool write).
    func save() {
        guard let statePath else { return }
        var text = ""
        for (path, hash) in sent.sorted(by: { $0.key < $1.key }) { text += "\(path)\t\(hash)\n" }
        do { try FileIO.writeAtomically(Array(text.utf8), to: statePath) } catch {
            logger?.warning("configuration state not saved", metadata: ["reason": "\(error)"])
        }
    }

    /// The paths tracked now.
    var trackedPaths: [String] { tracked.keys.sorted() }

    // MARK: - Internals

    private mutating func expand() {
        var wanted: [String: FileOwner] = [:]
        for source in serverFiles { for path in fs.glob(source.pattern) where wanted[path] == nil { wanted[path] = source.owner } }
        for source in configured { for path in fs.glob(source.pattern) where wanted[path] == nil { wanted[path] = source.owner } }
        // A tracked file that vanished stays tracked until its deletion is sent.
        for (path, file) in tracked where wanted[path] == nil {
            if Self.signature(fs.resolve(path)) == nil && sent[path] != nil && sent[path] != "deleted" {
                wanted[path] = file.owner
            } else {
                tracked[path] = nil
            }
        }
        for (path, owner) in wanted {
            if tracked[path] == nil { tracked[path] = Tracked(owner: owner, signature: nil) } else { tracked[path]!.owner = owner }
        }
        if let watcher {
            var directories = Set<String>()
            for path in tracked.keys {
                let resolved = fs.resolve(path)
                directories.insert(resolved.lastIndex(of: "/").map { String(resolved[..<$0]) } ?? "/")
            }
            if !watcher.watch(directories) { logger?.debug("some configuration directories are polled, not watched") }
        }
    }

    /// What changes when the file is written or replaced: inode, size, mtime and ctime; nil when it is gone.
    private static func signature(_ path: String) -> [Int64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [Int64(info.st_ino), Int64(info.st_size), Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec),
                Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec)]
    }

    private static func hash(_ snapshot: ConfigSnapshot) -> String {
        guard snapshot.state != .deleted else { return "deleted" }
        return Hex.encode(Digest.sha256([snapshot.state.rawValue] + Array(snapshot.content.utf8)))
    }

    private static func loadState(_ path: String) -> [String: String] {
        guard let text = HostFS(root: "/").read(path) else { return [:] }
        var sent: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t")
            if fields.count == 2 { sent[String(fields[0])] = String(fields[1]) }
        }
        return sent
    }
}
