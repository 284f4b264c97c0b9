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
    /// The agent enrollment token.
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
    /// Properties are re-sent at least every this many batches even when unchanged.
    public var propertiesRefreshBatches: UInt64 = 30
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
    public static let version = "0.1.0"

    let configuration: AgentConfiguration
    let logger: Logger

    /// Creates an agent.
    public init(configuration: AgentConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs the collection loop (blocking) until `maxCollections` is reached or the process ends.
    public func run() throws {
        let fs = HostFS(root: configuration.hostRoot)
        let client = try HTTPClient(baseURL: configuration.serverURL)
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

        var builder = BatchBuilder(fs: fs, intervalMs: configuration.intervalMs,
                                   refreshEvery: configuration.propertiesRefreshBatches)
        var uplink = Uplink(client: client, token: configuration.token, logger: logger)
        var collections = 0
        var nextTick = Clock.nowMs()
        while configuration.maxCollections.map({ collections < $0 }) ?? true {
            Clock.sleep(untilMs: nextTick)
            let now = Clock.nowMs()
            state.lastSequence += 1
            try state.save(path: statePath)
            let batch = builder.build(agentID: state.agentID, sequence: state.lastSequence, timestampMs: now)
            try spool.append(sequence: batch.sequence, body: BatchCodec.encode(batch), logger: logger)
            collections += 1
            uplink.deliver(spool: spool, nowMs: now)
            nextTick = (Clock.nowMs() / configuration.intervalMs + 1) * configuration.intervalMs
        }
    }
}

/// Wall-clock helpers without Foundation.
enum Clock {
    /// Unix time in milliseconds.
    static func nowMs() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    /// Sleeps until the wall clock reaches `untilMs`.
    static func sleep(untilMs: Int64) {
        while true {
            let remaining = untilMs - nowMs()
            guard remaining > 0 else { return }
            var request = timespec(tv_sec: Int(remaining / 1000), tv_nsec: Int(remaining % 1000) * 1_000_000)
            nanosleep(&request, nil)
        }
    }
}
