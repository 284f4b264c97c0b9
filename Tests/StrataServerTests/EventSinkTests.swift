import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import StrataCatalog
import StrataCore
import Synchronization
import StrataInventory
import Testing
@testable import StrataServer

/// Events collected by a subscriber.
final class Received: Sendable {
    private let events = Mutex<[EventRecord]>([])
    func add(_ batch: [EventRecord]) { events.withLock { $0 += batch } }
    var all: [EventRecord] { events.withLock { $0 } }
}

func event(_ id: Int64, tenant: String, kind: EventKind = .discovered) -> EventRecord {
    EventRecord(id: id, tenantID: tenant, resourceID: nil, timeMs: 0, kind: kind, severity: .info, message: "m\(id)")
}

@Test func theSinkPublishesEachTenantsEventsToItsSubscribersOnly() {
    let sink = EventSink(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let alpha = Received(), beta = Received(), everyone = Received()
    let first = sink.subscribe(tenantID: "alpha") { alpha.add($0) }
    _ = sink.subscribe(tenantID: "beta") { beta.add($0) }
    _ = sink.subscribe(tenantID: nil) { everyone.add($0) }
    sink.emit([event(1, tenant: "alpha"), event(2, tenant: "beta"), event(3, tenant: "alpha")])
    #expect(alpha.all.map(\.id) == [1, 3])
    #expect(beta.all.map(\.id) == [2])
    #expect(everyone.all.map(\.id) == [1, 2, 3])
    sink.cancel(first)
    sink.emit([event(4, tenant: "alpha")])
    #expect(alpha.all.map(\.id) == [1, 3], "a cancelled subscription receives nothing more")
    #expect(sink.subscriberCount == 2)
}

/// Issue 16: events were return values that only got logged (the discovery queue threw its away); every
/// event now reaches the sink, and the event stream is woken by it instead of polling the catalog.
@Test func anEventStreamDeliversAnEventAsItIsEmittedAndLeavesTheSinkWhenDone() async throws {
    let harness = try ServerHarness()
    try await harness.test { client in
        let received = Received()
        _ = harness.server.events.subscribe(tenantID: defaultTenant) { received.add($0) }
        let agent = try await ServerHarness.enroll(client)
        // Long enough for a busy machine; the stream runs to its deadline either way.
        async let stream = client.execute(uri: "/api/v1/events/stream?seconds=15&kind=discovered", method: .get,
                                          headers: ServerHarness.adminBasic)
        // The stream subscribes once its request is authenticated (a bcrypt check, seconds on a loaded machine: a
        // fixed 300 ms wait failed the whole-suite run once), so the upload waits for its subscription.
        for _ in 0..<200 where harness.server.events.subscriberCount < 2 { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try await upload(client, BatchCodec.encode(testBatch(sequence: 1)), headers: agent).status == .ok)
        let body = String(buffer: try await stream.body)
        #expect(body.contains("event: discovered") && body.contains("host-m1"), "the platform's discovery reached the stream: \(body)")
        #expect(received.all.contains { $0.kind == "discovered" }, "and every subscriber of the tenant")
        #expect(harness.server.events.subscriberCount == 1, "the finished stream unsubscribed")
    }
}
