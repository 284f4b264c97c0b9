import Logging
import StrataCore

/// A log record ready to send, with the resource it belongs to.
struct OwnedEvent: Sendable {
    var owner: FileOwner
    var event: AgentEvent
}

/// Follows every log source's files, joins lines into records, keeps what the filters and rate limits let
/// through, and remembers where each file was read to (`DATA/logs.state`) so a restart resumes there.
///
/// Offsets are saved only after the records before them are spooled (`save()` after the spool write); a
/// crash in between re-reads those records and the server, which stores an origin once, drops the repeats.
struct LogTracker: Sendable {
    let fs: HostFS
    let statePath: String?
    let settings: [String: String]
    let logger: Logger?
    /// Configured sources (`log.NAME.*`) and those of discovered servers.
    private(set) var configured: [LogSource]
    private(set) var serverSources: [LogSource] = []
    /// Followed files by host path.
    private var files: [String: TrackedFile] = [:]
    /// Positions read from the state file, used when a file is first opened.
    private var saved: [String: (position: LogPosition, fingerprint: [UInt8])]
    private var pollsSinceExpand = Int.max
    /// Whether globs were expanded once: files found later are new and read from their start.
    private var expandedOnce: Set<String> = []
    private(set) var counts = LogCounts()
    /// The state file's content as last written.
    private var lastSaved = ""

    /// Globs are re-expanded (new files picked up) every this many polls.
    static let expandEvery = 10
    /// A record's message is cut at this many bytes.
    static let maxRecordBytes = 32 << 10
    /// Bytes read per file and poll (the rest waits for the next poll, which comes at once: `backlog`).
    static let readBudget = 512 << 10
    /// Whether the last poll left unread bytes in a file (it read its whole budget).
    private(set) var backlog = false

    struct TrackedFile: Sendable {
        var follower: LogFollower
        var source: LogSource
        var parser: LogLineParser
        var bucket: TokenBucket
        var record: PendingRecord?
        var dropped = 0
        var lastDropReportMs: Int64 = .min / 2
    }

    struct PendingRecord: Sendable {
        var origin: LogPosition
        var timeMs: Int64?
        var severity: EventSeverity
        var bytes: [UInt8]
    }

    /// What happened to the records read: sent, below the level, filtered, dropped by a rate limit.
    struct LogCounts: Sendable, Equatable {
        var sent = 0
        var belowLevel = 0
        var filtered = 0
        var rateLimited = 0
    }

    init(fs: HostFS, statePath: String?, settings: [String: String], logger: Logger?) {
        self.fs = fs
        self.statePath = statePath
        self.settings = settings
        self.logger = logger
        self.configured = LogSource.configured(settings, logger: logger)
        self.saved = statePath.map(Self.loadState) ?? [:]
    }

    /// Whether discovered servers' logs are followed (`log.servers = off` turns it off).
    var followsServers: Bool { settings["log.servers"] != "off" }

    /// Replaces the discovered servers' sources with their log files (after each collection).
    mutating func setServers(_ servers: [ServerFiles]) {
        var sources: [LogSource] = []
        if followsServers {
            for server in servers {
                for file in server.logFiles { sources.append(.server(key: server.key, name: server.name, type: server.type, pattern: file, settings: settings)) }
            }
        }
        // `log.NAME.server = TYPE` attaches a configured source to the server of that type.
        for index in configured.indices {
            if let owner = FileOwner.server(ofType: configured[index].ownerType, in: servers) { configured[index].owner = owner }
        }
        let changed = sources.map(\.pattern) != serverSources.map(\.pattern) || sources.map(\.owner) != serverSources.map(\.owner)
        serverSources = sources
        if changed { pollsSinceExpand = .max }
    }

    /// Reads every file, returns the records to send. `nowMs` is the wall clock (rate limits, records without a time).
    mutating func poll(nowMs: Int64) -> [OwnedEvent] {
        pollsSinceExpand = pollsSinceExpand == .max ? .max : pollsSinceExpand + 1
        var events: [OwnedEvent] = []
        if pollsSinceExpand >= Self.expandEvery { expand(nowMs: nowMs, events: &events) }
        backlog = false
        for path in files.keys.sorted() {
            var file = files[path]!
            var lines: [LogLine] = []
            let before = file.follower.position
            file.follower.poll(budget: Self.readBudget, lines: &lines)
            if let before, let after = file.follower.position, after.identity == before.identity, after.generation == before.generation,
               after.offset - before.offset >= Int64(Self.readBudget) {
                backlog = true
            }
            consume(lines, into: &file, nowMs: nowMs, events: &events)
            // A record is complete once its file has nothing more for a poll (a stack trace is written at once).
            if lines.isEmpty { finish(&file, nowMs: nowMs, into: &events) }
            if file.dropped > 0, nowMs - file.lastDropReportMs >= 10_000 {
                events.append(OwnedEvent(owner: file.source.owner, event: AgentEvent(
                    resourceIndex: 0, kind: "log-dropped", timeMs: nowMs, severity: .warning, source: path,
                    origin: "dropped:\(path):\(nowMs)",
                    message: "\(file.dropped) records of \(path) dropped by its rate limit of \(Self.format(file.source.ratePerSecond))/s")))
                file.dropped = 0
                file.lastDropReportMs = nowMs
            }
            files[path] = file
        }
        return events
    }

    /// Saves where every file was read to (the start of the first record not yet returned), when it moved.
    mutating func save() {
        guard let statePath else { return }
        var text = ""
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            guard var position = file.follower.committed else { continue }
            if let record = file.record, record.origin.identity == position.identity, record.origin.generation == position.generation {
                position.offset = min(position.offset, record.origin.offset)
            }
            text += "\(path)\t\(position.identity.device)\t\(position.identity.inode)\t\(position.generation)\t\(position.offset)\t\(Hex.encode(file.follower.fingerprint))\n"
        }
        guard text != lastSaved else { return }
        do {
            try FileIO.writeAtomically(Array(text.utf8), to: statePath)
            lastSaved = text
        } catch {
            logger?.warning("log offsets not saved", metadata: ["reason": "\(error)"])
        }
    }

    /// The paths followed now, for `--discover` and tests.
    var followedPaths: [String] { files.keys.sorted() }

    // MARK: - Internals

    /// Joins `lines` into records: a line that does not start a record continues the pending one.
    private mutating func consume(_ lines: [LogLine], into file: inout TrackedFile, nowMs: Int64, events: inout [OwnedEvent]) {
        for line in lines {
            let parsed = file.parser.parse(line.bytes)
            if !parsed.startsRecord, var record = file.record, record.bytes.count < Self.maxRecordBytes {
                record.bytes.append(0x0A)
                record.bytes.append(contentsOf: line.bytes.prefix(Self.maxRecordBytes - record.bytes.count))
                if let severity = parsed.severity { record.severity = max(record.severity, severity) }
                file.record = record
                continue
            }
            if !parsed.startsRecord, file.record != nil { continue }  // a record at its size limit
            finish(&file, nowMs: nowMs, into: &events)
            file.record = PendingRecord(origin: line.origin, timeMs: parsed.timeMs,
                                        severity: parsed.severity ?? LogLineParser.severityFromWords(line.bytes),
                                        bytes: Array(line.bytes))
        }
    }

    private mutating func finish(_ file: inout TrackedFile, nowMs: Int64, into events: inout [OwnedEvent]) {
        guard let record = file.record else { return }
        file.record = nil
        guard record.severity >= file.source.minimumLevel else { counts.belowLevel += 1; return }
        let bytes = record.bytes[...]
        if let include = file.source.include, !include.matches(bytes) { counts.filtered += 1; return }
        if let exclude = file.source.exclude, exclude.matches(bytes) { counts.filtered += 1; return }
        guard file.bucket.take(nowMs: nowMs) else {
            counts.rateLimited += 1
            file.dropped += 1
            return
        }
        counts.sent += 1
        events.append(OwnedEvent(owner: file.source.owner, event: AgentEvent(
            resourceIndex: 0, kind: "log", timeMs: record.timeMs ?? nowMs, severity: record.severity,
            source: file.follower.path, origin: record.origin.description, message: String(decoding: record.bytes, as: UTF8.self))))
    }

    /// Expands every source's pattern: opens new files (at their end on the first expansion, unless the
    /// state file knows them; at their start when they appear later), forgets files no source names.
    private mutating func expand(nowMs: Int64, events: inout [OwnedEvent]) {
        pollsSinceExpand = 0
        var wanted: [String: LogSource] = [:]
        for source in configured + serverSources {
            for path in fs.glob(source.pattern) where wanted[path] == nil { wanted[path] = source }
        }
        for (path, var file) in files where wanted[path] == nil {
            var lines: [LogLine] = []
            file.follower.close(lines: &lines)
            consume(lines, into: &file, nowMs: nowMs, events: &events)
            finish(&file, nowMs: nowMs, into: &events)
            files[path] = nil
        }
        for (path, source) in wanted {
            if var file = files[path] {
                file.source = source
                files[path] = file
                continue
            }
            var follower = LogFollower(path: path, resolved: fs.resolve(path))
            var lines: [LogLine] = []
            let fromStart = expandedOnce.contains(source.identity)
            follower.open(saved: saved[path], fromStart: fromStart, lines: &lines)
            var file = TrackedFile(follower: follower, source: source, parser: LogLineParser(format: source.format),
                                   bucket: TokenBucket(rate: source.ratePerSecond, nowMs: nowMs))
            consume(lines, into: &file, nowMs: nowMs, events: &events)
            files[path] = file
        }
        for source in configured + serverSources { expandedOnce.insert(source.identity) }
    }

    private static func loadState(_ path: String) -> [String: (position: LogPosition, fingerprint: [UInt8])] {
        guard let text = HostFS(root: "/").read(path) else { return [:] }
        var state: [String: (position: LogPosition, fingerprint: [UInt8])] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 6, let device = UInt64(fields[1]), let inode = UInt64(fields[2]),
                  let generation = UInt32(fields[3]), let offset = Int64(fields[4]) else { continue }
            state[String(fields[0])] = (LogPosition(identity: FileIdentity(device: device, inode: inode), generation: generation, offset: offset),
                                        Hex.decode(fields[5]) ?? [])
        }
        return state
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}
