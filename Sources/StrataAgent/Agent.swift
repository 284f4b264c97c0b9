#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import StrataCore

/// Settings of a running agent.
public struct AgentConfiguration: Sendable {
    /// Base URL of the server, e.g. `http://127.0.0.1:7480`.
    public var serverURL: String
    /// The agent enrollment token, exchanged on first contact for the agent's own credential.
    public var token: String
    /// Directory for the spool and the agent's state.
    public var dataDirectory: String
    /// Collection interval in milliseconds.
    public var intervalMs: Int64
    /// Root through which the host is read (`STRATA_HOST_ROOT`).
    public var hostRoot: String
    /// Spool bound in batches.
    public var maxSpoolBatches = 8640
    /// Spool bound in bytes.
    public var maxSpoolBytes = 64 << 20
    /// Full re-discovery (platform, process scan, every property sent again) every this many milliseconds;
    /// process starts and exits trigger a scan in between.
    public var discoveryIntervalMs: Int64 = 300_000
    /// CA certificate (PEM) for an `https://` server; nil trusts the system store.
    public var caFile: String?
    /// Obtain a client certificate at enrollment and present it (mutual TLS).
    public var mutualTLS = false
    /// Stop after this many collections (for tests); nil runs forever.
    public var maxCollections: Int?

    /// Creates a configuration.
    public init(serverURL: String, token: String, dataDirectory: String, intervalMs: Int64, hostRoot: String) {
        self.serverURL = serverURL
        self.token = token
        self.dataDirectory = dataDirectory
        self.intervalMs = intervalMs
        self.hostRoot = hostRoot
    }
}

/// The agent: every interval it collects platform and self metrics, spools the batch durably, then
/// delivers spooled batches oldest first until one is not acknowledged.
///
/// Every step is crash-safe: the sequence is saved before its batch is spooled, a batch is spooled
/// before it is sent, and removed only after the server acknowledged it.
public struct Agent: Sendable {
    /// The agent's version string.
    public static let version = StrataVersion.number

    let configuration: AgentConfiguration
    let logger: Logger

    /// Creates an agent.
    public init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the collection loop (blocking) until `maxCollections` is reached or SIGTERM/SIGINT arrives;
    /// a signal is honoured between collections, so the batch being built is spooled first.
    public func run() throws {
        // A peer that goes away must be an error on that connection, not the agent's death: libvirt's
        // remote driver (and OpenSSL) write to sockets without MSG_NOSIGNAL.
        signal(SIGPIPE, SIG_IGN)
        let stop = StopSignals()
        let fs = HostFS(root: configuration.hostRoot)
        let tls = configuration.serverURL.hasPrefix("https://") ? try TLSClient(caFile: configuration.caFile) : nil
        let client = try HTTPClient(baseURL: configuration.serverURL, tls: tls)
        let statePath = configuration.dataDirectory + "/agent.state"
        var spool = try Spool(directory: configuration.dataDirectory + "/spool",
                              maxBatches: configuration.maxSpoolBatches, maxBytes: configuration.maxSpoolBytes)
        var state = AgentState.load(path: statePath)
        state.lastSequence = max(state.lastSequence, spool.pending().last ?? 0)
        try state.save(path: statePath)
        logger.info("agent started", metadata: [
            "agentID": "\(state.agentID)", "server": "\(configuration.serverURL)",
            "intervalMs": "\(configuration.intervalMs)", "hostRoot": "\(configuration.hostRoot)",
            "spooled": "\(spool.pending().count)",
        ])

        let settings = PluginSettings.load(path: configuration.dataDirectory + "/plugins.conf", logger: logger)
        var builder = BatchBuilder(fs: fs, intervalMs: configuration.intervalMs,
                                   refreshEvery: UInt64(max(1, configuration.discoveryIntervalMs / configuration.intervalMs)),
                                   collectors: CollectorRegistry.builtIn(fs: fs, settings: settings, dataDirectory: configuration.dataDirectory,
                                                                         logger: logger),
                                   logger: logger)
        let enrollment = Enrollment(client: client, enrollmentToken: configuration.token,
                                    path: configuration.dataDirectory + "/agent.credential", logger: logger,
                                    certificateTLS: configuration.mutualTLS ? tls : nil)
        var uplink = Uplink(client: client, enrollment: enrollment, logger: logger)
        let control = ["false", "no", "off", "0"].contains(settings["control.enabled"]?.lowercased() ?? "") ? nil
            : try ControlChannel(agentID: state.agentID, dataDirectory: configuration.dataDirectory, fs: fs,
                                 session: ControlSession(makeClient: commandClient(tls: tls)), logger: logger)
        defer { control?.stop() }
        var logs = LogTracker(fs: fs, statePath: configuration.dataDirectory + "/logs.state", settings: settings, logger: logger)
        var configs = ConfigTracker(fs: fs, statePath: configuration.dataDirectory + "/configs.state", settings: settings,
                                    hashKey: try Self.redactionKey(path: configuration.dataDirectory + "/redaction.key"), logger: logger)
        let pollMs = max(100, settings["log.poll"].flatMap(DurationText.milliseconds) ?? 1000)
        var controlProblem: String?
        var pendingEvents: [OwnedEvent] = []
        var pendingConfigs: [OwnedConfig] = []
        var collections = 0
        var cadence = CollectionCadence(intervalMs: configuration.intervalMs, nowMs: Clock.nowMs())
        var nextPoll = cadence.nextFullMs
        var lastBatchMs: Int64 = 0
        while configuration.maxCollections.map({ collections < $0 }) ?? true {
            // With a command channel, look at least once a second whether a live window opened.
            let lookMs = control == nil ? Int64.max : Clock.nowMs() + CollectionCadence.fastestMs
            if let signal = stop.wait(untilMs: min(cadence.wakeMs, nextPoll, lookMs)) {
                logger.info("agent stopping", metadata: ["signal": "\(signal)", "spooled": "\(spool.pending().count)"])
                return
            }
            var now = Clock.nowMs()
            if now >= nextPoll {
                // Logs wait in their files while a large backlog is unsent (the next batch takes it).
                if pendingEvents.count < Self.maxEventsPerBatch { pendingEvents += logs.poll(nowMs: now) }
                pendingConfigs += configs.poll(nowMs: now)
                // A file with more than one poll's budget unread is read again at once (after a batch if one is due).
                nextPoll = logs.backlog ? now : (Clock.nowMs() / pollMs + 1) * pollMs
            }
            let batch: AgentBatch
            let wasLive = cadence.isLive
            let step = cadence.step(nowMs: now, live: control?.liveIntervalMs)
            if wasLive != cadence.isLive {
                logger.info(cadence.isLive ? "live mode on" : "live mode off; back to the configured interval",
                            metadata: ["intervalMs": "\(cadence.liveIntervalMs ?? configuration.intervalMs)"])
            }
            let full = step == .full
            if full {
                state.lastSequence += 1
                try state.save(path: statePath)
                batch = builder.build(agentID: state.agentID, sequence: state.lastSequence, timestampMs: now,
                                      events: pendingEvents, configs: pendingConfigs)
                logs.setServers(builder.serverFiles)
                configs.setServers(builder.serverFiles)
                control?.registry.update(platformKey: builder.platform?.identityKey, targets: builder.controlTargets)
                collections += 1
                cadence.collected(.full, nowMs: Clock.nowMs())
            } else if step == .live,
                      let live = builder.liveBatch(agentID: state.agentID, sequence: state.lastSequence + 1, timestampMs: now,
                                                   events: pendingEvents, configs: pendingConfigs) {
                state.lastSequence += 1
                try state.save(path: statePath)
                batch = live
                cadence.collected(.live, nowMs: Clock.nowMs())
            } else if (!pendingEvents.isEmpty || !pendingConfigs.isEmpty)
                        && (now - lastBatchMs >= Self.eventFlushMs || pendingEvents.count >= Self.maxEventsPerBatch),
                      let events = builder.eventBatch(agentID: state.agentID, sequence: state.lastSequence + 1, timestampMs: now,
                                                      events: pendingEvents, configs: pendingConfigs) {
                state.lastSequence += 1
                try state.save(path: statePath)
                batch = events
            } else {
                continue
            }
            try spool.append(sequence: batch.sequence, body: BatchCodec.encode(batch), logger: logger)
            // Only now are the records before the saved offsets durable (in the spool).
            if !pendingEvents.isEmpty || step != .rest { logs.save() }
            if !pendingConfigs.isEmpty { configs.save() }
            pendingEvents.removeAll(keepingCapacity: true)
            pendingConfigs.removeAll()
            now = Clock.nowMs()
            lastBatchMs = now
            uplink.deliver(spool: spool, nowMs: now, agentID: state.agentID, platformKey: builder.platform?.identityKey ?? "")
            // Start-up's code and a refresh's are not run again until the next refresh: let them leave the resident set.
            if full, collections == 2 || UInt64(collections) % builder.refreshEvery == 2 { ResidentCode.releaseExecutablePages() }
            if let control {
                // Commands are fetched once the agent has its credential, with the credential it has now.
                let problem = control.session.set(credential: uplink.enrollment.credential).map { "\($0)" }
                if let problem, problem != controlProblem {
                    logger.warning("cannot open the command channel; trying again after each batch", metadata: ["error": "\(problem)"])
                }
                controlProblem = problem
                if control.session.hasCredential, !control.start() {
                    logger.error("no thread for the command channel; commands are not fetched")
                }
            }
        }
    }

    /// How the command channel makes its HTTP client: like the uplink's, waiting longer than a fetch is held, and
    /// under mutual TLS with a TLS context of its own (see `ControlSession`).
    func commandClient(tls: TLSClient?) -> @Sendable () throws -> HTTPClient {
        let configuration = configuration
        return {
            var own = tls
            if configuration.mutualTLS {
                let context = try TLSClient(caFile: configuration.caFile)
                try context.useClientCertificate(certificateFile: configuration.dataDirectory + "/agent.pem",
                                                 keyFile: configuration.dataDirectory + "/agent-key.pem")
                own = context
            }
            var client = try HTTPClient(baseURL: configuration.serverURL, tls: own)
            client.timeoutMs = Int32(ControlChannel.waitMs) + 10_000
            return client
        }
    }

    /// Log events and configuration changes are sent between collections once this long has passed since the last batch.
    static let eventFlushMs: Int64 = 1000
    /// Log events after which a batch is sent at once (and no more are read until it is spooled).
    static let maxEventsPerBatch = 5_000

    /// The agent's own random key for redaction fingerprints (`DATA/redaction.key`, 0600, never sent).
    static func redactionKey(path: String) throws(FileError) -> [UInt8] {
        if let bytes = HostFS(root: "/").readBytes(path), bytes.count == 32 { return bytes }
        var generator = SystemRandomNumberGenerator()
        let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try FileIO.writeAtomically(key, to: path)
        return key
    }
}

/// Clock helpers without Foundation.
enum Clock {
    /// Unix time in milliseconds.
    static func nowMs() -> Int64 { milliseconds(CLOCK_REALTIME) }

    /// Milliseconds on the monotonic clock, for deadlines (a wall-clock step does not move it).
    static func monotonicMs() -> Int64 { milliseconds(CLOCK_MONOTONIC) }

    private static func milliseconds(_ clock: clockid_t) -> Int64 {
        var time = timespec()
        clock_gettime(clock, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// SIGTERM and SIGINT, blocked for the process and consumed synchronously by `wait(untilMs:)`, so no
/// signal handler and no shared mutable state are needed.
struct StopSignals {
    private var set = sigset_t()

    init() {
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits until the wall clock reaches `untilMs`; returns the signal number if a stop was requested.
    func wait(untilMs: Int64) -> Int32? {
        var set = self.set
        while true {
            let remaining = untilMs - Clock.nowMs()
            var timeout = timespec(tv_sec: Int(max(0, remaining) / 1000), tv_nsec: Int(max(0, remaining) % 1000) * 1_000_000)
            let signal = sigtimedwait(&set, nil, &timeout)
            if signal > 0 { return signal }
            if remaining <= 0 || (signal < 0 && errno == EAGAIN) {
                if Clock.nowMs() >= untilMs { return nil }
            }
        }
    }
}
