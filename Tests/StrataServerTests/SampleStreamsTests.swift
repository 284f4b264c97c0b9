import Foundation
import StrataCore
import Synchronization
import Testing
@testable import StrataServer

/// The sample streams' hand-off without I/O: `TenantStream` as a state machine, `SampleStreams` around it.
struct SampleStreamsTests {
    /// A batch of `count` samples of one series at `timestamp`.
    static func batch(_ count: Int = 1, series: UInt64 = 1, timestamp: Int64 = 1_000) -> SampleBatch {
        var batch = SampleBatch()
        for index in 0..<count { batch.append(StableID(rawValue: series), timestamp + Int64(index), Double(index)) }
        return batch
    }

    /// The sequences of the batches `delivery` holds, with `0` for a gap.
    static func sequences(_ delivery: StreamDelivery) -> [UInt64] {
        guard case .items(let items) = delivery else { return [] }
        return items.map { item in
            if case .batch(let entry) = item { return entry.sequence }
            return 0
        }
    }

    static func isDropped(_ delivery: StreamDelivery) -> Bool {
        if case .dropped = delivery { return true }
        return false
    }

    final class Wakes: Sendable {
        let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func wake() { count.withLock { $0 += 1 } }
    }

    @Test func aSubscriberReadsTheBatchesPublishedAfterItSubscribedInOrderAndIsWokenOnlyWhenItWaits() {
        var stream = TenantStream(limits: StreamLimits())
        _ = stream.publish(Self.batch(), nowMs: 0)  // before the subscriber: not for it
        let wakes = Wakes()
        stream.subscribe(1, resume: .live) { wakes.wake() }
        #expect(Self.sequences(stream.take(1, limit: 64)).isEmpty, "nothing yet, so it waits")
        #expect(stream.publish(Self.batch(), nowMs: 1).wake.count == 1, "the waiting subscriber is woken")
        #expect(stream.publish(Self.batch(), nowMs: 2).wake.isEmpty, "not again before it has read")
        #expect(Self.sequences(stream.take(1, limit: 1)) == [2], "at most `limit` items")
        #expect(Self.sequences(stream.take(1, limit: 64)) == [3])
        #expect(Self.sequences(stream.take(1, limit: 64)).isEmpty)
        #expect(stream.publish(Self.batch(), nowMs: 3).wake.count == 1)
        #expect(Self.sequences(stream.take(1, limit: 64)) == [4])
    }

    @Test func aSubscriberThatFallsFurtherBehindThanTheRingHoldsIsDroppedAndTheOthersAreNot() {
        var stream = TenantStream(limits: StreamLimits(ringMs: 60_000, ringSamples: 1_000, ringBatches: 10))
        let stalled = Wakes()
        stream.subscribe(1, resume: .live) { stalled.wake() }
        stream.subscribe(2, resume: .live) {}
        var dropped = 0
        for index in 0..<25 {
            let published = stream.publish(Self.batch(10), nowMs: Int64(index))
            for wake in published.wake { wake() }
            dropped += published.dropped
            #expect(!Self.isDropped(stream.take(2, limit: 64)), "a subscriber that keeps up stays")
        }
        #expect(dropped == 1 && stalled.value == 1, "dropped once, and woken to say so")
        #expect(Self.isDropped(stream.take(1, limit: 64)))
        #expect(stream.ring.count == 10 && stream.ringSamples == 100, "the ring kept its bound")
    }

    @Test func theRingLetsGoBySamplesAndAgeButAlwaysKeepsTheNewestBatch() {
        var stream = TenantStream(limits: StreamLimits(ringMs: 1_000, ringSamples: 100, ringBatches: 100))
        _ = stream.publish(Self.batch(60), nowMs: 0)
        _ = stream.publish(Self.batch(60), nowMs: 10)
        #expect(stream.ring.map(\.sequence) == [2], "120 samples > 100: the oldest went")
        _ = stream.publish(Self.batch(500), nowMs: 20)
        #expect(stream.ring.map(\.sequence) == [3], "a batch larger than the ring stays, alone")
        _ = stream.publish(Self.batch(1), nowMs: 30)
        _ = stream.publish(Self.batch(1), nowMs: 1_500)
        #expect(stream.ring.map(\.sequence) == [5], "older than a second: gone")
    }

    @Test func aClientResumingAfterAnIdStillHeldGetsWhatFollowedItAndAfterOneNoLongerHeldAGapFirst() {
        var stream = TenantStream(limits: StreamLimits(ringMs: 60_000, ringSamples: 1_000, ringBatches: 5))
        for index in 0..<8 { _ = stream.publish(Self.batch(), nowMs: Int64(index)) }  // 1…8, the ring holds 4…8
        stream.subscribe(1, resume: .after(5)) {}
        #expect(Self.sequences(stream.take(1, limit: 64)) == [6, 7, 8])
        stream.subscribe(2, resume: .after(3)) {}
        #expect(Self.sequences(stream.take(2, limit: 64)) == [4, 5, 6, 7, 8], "3 was the last it had: nothing lost")
        stream.subscribe(3, resume: .after(1)) {}
        #expect(Self.sequences(stream.take(3, limit: 64)) == [0, 4, 5, 6, 7, 8], "2 and 3 are gone: a gap, then what is held")
        stream.subscribe(4, resume: .after(8)) {}
        #expect(Self.sequences(stream.take(4, limit: 64)).isEmpty, "it had everything")
        stream.subscribe(5, resume: .otherEpoch) {}
        guard case .items(let items) = stream.take(5, limit: 64), case .gap(let reason) = items.first else {
            Issue.record("an id from before a restart starts with a gap")
            return
        }
        #expect(reason == .restarted && items.count == 6, "then everything held")
    }

    @Test func publishingForATenantWithoutAStreamDoesNothingAndAStreamIsLetGoAMinuteAfterItsLastSubscriber() {
        let now = Mutex<Int64>(1_000_000)
        let streams = SampleStreams(clock: { now.withLock { $0 } })
        #expect(!streams.wants("default"))
        streams.publish(tenantID: "default", batch: Self.batch())
        let wakes = Wakes()
        let subscription = streams.subscribe(tenantID: "default") { wakes.wake() }
        #expect(streams.wants("default") && !streams.wants("acme"))
        #expect(Self.sequences(streams.take(subscription)).isEmpty)
        streams.publish(tenantID: "acme", batch: Self.batch())
        #expect(wakes.value == 0, "another tenant's batch wakes nobody here")
        streams.publish(tenantID: "default", batch: Self.batch())
        #expect(wakes.value == 1 && Self.sequences(streams.take(subscription)) == [1], "numbered from 1")
        streams.cancel(subscription)
        now.withLock { $0 += 30_000 }
        streams.publish(tenantID: "default", batch: Self.batch())
        #expect(streams.wants("default"), "kept for a reconnect")
        let back = streams.subscribe(tenantID: "default", after: streams.position(1)) {}
        #expect(Self.sequences(streams.take(back)) == [2], "the reconnect gets what it missed")
        streams.cancel(back)
        now.withLock { $0 += 61_000 }
        streams.publish(tenantID: "default", batch: Self.batch())
        #expect(!streams.wants("default"), "let go a minute after the last subscriber left")
        let later = streams.subscribe(tenantID: "default", after: streams.position(2)) {}
        streams.publish(tenantID: "default", batch: Self.batch())
        #expect(Self.sequences(streams.take(later)) == [0, 4], "the batch published while no stream was held is lost: a gap; numbering goes on")
        let stranger = streams.subscribe(tenantID: "default", after: StreamPosition(epoch: streams.epoch - 1, sequence: 5)) {}
        #expect(Self.sequences(streams.take(stranger)) == [0, 4], "an id of another epoch: a gap, then what is held")
    }

    /// The acceptance's "ingest is not slowed", at the hand-off: publishing with a subscriber that never reads costs
    /// what publishing with one that keeps up does, the stalled one is dropped, and the other sees every batch.
    @Test func aStalledSubscriberIsDroppedWhilePublishingKeepsItsPace() {
        let streams = SampleStreams(limits: StreamLimits(ringMs: 60_000, ringSamples: 100_000, ringBatches: 1_024))
        let batches = 20_000
        let batch = Self.batch(10)
        func publishAll(reading subscription: SampleStreams.Subscription) -> (Duration, [UInt64]) {
            var read: [UInt64] = []
            let started = ContinuousClock.now
            for index in 0..<batches {
                streams.publish(tenantID: "default", batch: batch)
                if index % 100 == 99 { read += Self.sequences(streams.take(subscription, limit: 1_000)) }
            }
            return (ContinuousClock.now - started, read)
        }
        let keeper = streams.subscribe(tenantID: "default") {}
        let (alone, _) = publishAll(reading: keeper)
        let stalled = streams.subscribe(tenantID: "default") {}
        let (beside, read) = publishAll(reading: keeper)
        #expect(Self.isDropped(streams.take(stalled)), "the subscriber that never read was dropped")
        #expect(read.count == batches && read == Array(read.first!...read.last!), "the other read every batch, in order")
        #expect(beside < alone * 3 + .milliseconds(200), "publishing beside a stalled subscriber took \(beside), alone \(alone)")
    }
}
