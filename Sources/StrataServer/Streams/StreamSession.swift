import Hummingbird
import Metrics
import NIOCore
import ServiceLifecycle
import StrataAPI
import StrataCore
import StrataTSDB
import Synchronization

/// One open sample stream (`GET /api/v1/stream`), written as Server-Sent Events:
///
/// - `id: EPOCH-SEQ` `event: samples` `data: {"series":[…]}` — the matching samples of one ingested batch;
/// - `id: EPOCH-SEQ` alone — batches up to there were read and none matched (a client that reconnects then resumes
///   from there rather than from its last matching batch, which the server may no longer hold);
/// - `event: gap`, `event: dropped`, `event: revoked` — see `API.StreamGap` and `API.StreamEnd`;
/// - `: heartbeat` comments when nothing else was written for 15 s.
///
/// The session wakes when its subscription has something to read and once a second, to check its deadline, its
/// credential (a revoked one ends the stream at once, docs/security.md) and whether the client still reads: a write
/// that a client leaves blocked for `stallLimit` closes the connection.
struct StreamSession {
    let streams: SampleStreams
    /// Where labels of series the batches do not carry are looked up.
    let querier: any Querier
    let filter: StreamFilter
    /// The client's `Last-Event-ID`, if it resumes.
    let resume: StreamPosition?
    let deadline: ContinuousClock.Instant
    /// Whether the stream's credential still stands (asked once a second).
    let credentialStands: @Sendable () async throws -> Bool
    /// The client's connection, closed when a write stalls.
    let channel: any Channel

    /// A comment is written after this long without output, so proxies and clients see the stream is alive.
    static let heartbeat: Duration = .seconds(15)
    /// A write that does not complete within this long means the client stopped reading: it is dropped.
    static let stallLimit: Duration = .seconds(10)
    /// Streams whose client stopped reading (those that fell behind the ring are counted by `SampleStreams`).
    static let stalled = Counter(label: "strata_stream_subscribers_dropped_total", dimensions: [("reason", "stalled")])

    enum Wakeup: Sendable {
        case samples
        case tick
        case shutdown
    }

    /// Streams until the deadline, a revoked credential, a drop, the client leaving or the server shutting down.
    func run(_ writer: inout any ResponseBodyWriter) async throws {
        let (wakeups, wake) = AsyncStream.makeStream(of: Wakeup.self, bufferingPolicy: .bufferingNewest(16))
        let subscription = streams.subscribe(tenantID: filter.tenant, after: resume) { wake.yield(.samples) }
        defer { streams.cancel(subscription) }
        let watch = WriteWatch()
        let channel = self.channel
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                while true {
                    try await Task.sleep(for: .seconds(1))
                    wake.yield(.tick)
                    if watch.blocked(longerThan: Self.stallLimit) {
                        Self.stalled.increment()
                        channel.close(promise: nil)
                        return
                    }
                }
            }
            try await withGracefulShutdownHandler {
                try await stream(to: &writer, wakeups: wakeups, subscription: subscription, watch: watch)
            } onGracefulShutdown: {
                wake.yield(.shutdown)
            }
            group.cancelAll()
        }
        try await writer.finish(nil)
    }

    private func stream(to writer: inout any ResponseBodyWriter, wakeups: AsyncStream<Wakeup>, subscription: SampleStreams.Subscription,
                        watch: WriteWatch) async throws {
        var filter = self.filter
        let connected = channel.isActive
        // The last batch read, and the last id the client has.
        var read: UInt64?
        var sent: UInt64?
        var lastWrite = ContinuousClock.now
        func send(_ text: String, _ writer: inout any ResponseBodyWriter) async throws {
            watch.begin()
            defer { watch.end() }
            try await writer.write(ByteBuffer(string: text))
            lastWrite = .now
        }
        try await send("retry: 1000\n: strata sample stream\n\n", &writer)
        var iterator = wakeups.makeAsyncIterator()
        var wakeup = Wakeup.samples  // first: what a resuming client missed
        events: while true {
            switch wakeup {
            case .shutdown:
                break events
            case .tick:
                guard ContinuousClock.now < deadline, !connected || channel.isActive else { break events }
                guard try await credentialStands() else {
                    try await send(try Self.event("revoked", API.StreamEnd(reason: "the credential of this stream was revoked or expired")), &writer)
                    break events
                }
            case .samples:
                break
            }
            drain: while true {
                switch streams.take(subscription) {
                case .dropped(let reason):
                    let id = read.map { "id: \(streams.position($0))\n" } ?? ""
                    try await send(id + (try Self.event("dropped", API.StreamEnd(reason: reason))), &writer)
                    break events
                case .items(let items) where items.isEmpty:
                    break drain
                case .items(let items):
                    var text = ""
                    for item in items {
                        switch item {
                        case .gap(let reason):
                            text += try Self.event("gap", API.StreamGap(reason: Self.explain(reason), lastEventId: resume?.description ?? ""))
                        case .batch(let entry):
                            read = entry.sequence
                            let series = await filter.series(in: entry.batch) { await querier.labels(of: $0) }
                            guard !series.isEmpty else { continue }
                            text += StreamEventText.samples(id: streams.position(entry.sequence).description, series)
                            sent = entry.sequence
                        }
                    }
                    if !text.isEmpty { try await send(text, &writer) }
                }
            }
            if case .tick = wakeup {
                if let read, read != sent {
                    try await send("id: \(streams.position(read))\n\n", &writer)
                    sent = read
                } else if ContinuousClock.now - lastWrite >= Self.heartbeat {
                    try await send(": heartbeat\n\n", &writer)
                }
            }
            guard let next = await iterator.next() else { break }
            wakeup = next
        }
        if let read, read != sent { try await send("id: \(streams.position(read))\n\n", &writer) }
    }

    /// One SSE event of type `name` with `payload` as its JSON data.
    static func event(_ name: String, _ payload: some Encodable) throws -> String {
        "event: \(name)\ndata: \(try JSONTreeEncoder.encode(payload).text)\n\n"
    }

    static func explain(_ reason: StreamGapReason) -> String {
        switch reason {
        case .expired:
            return "batches after the last event id are no longer held (the server keeps about the last minute); read what is missing with GET /api/v1/query"
        case .restarted:
            return "the server restarted after the last event id; read what is missing with GET /api/v1/query"
        }
    }
}

/// When the write in progress began, for the once-a-second check that closes a stalled client's connection.
private final class WriteWatch: Sendable {
    private let started = Mutex<ContinuousClock.Instant?>(nil)

    func begin() { started.withLock { $0 = .now } }
    func end() { started.withLock { $0 = nil } }

    /// Whether a write has been in progress for longer than `limit`.
    func blocked(longerThan limit: Duration) -> Bool {
        started.withLock { $0.map { ContinuousClock.now - $0 > limit } ?? false }
    }
}
