import Logging
import Metrics
import StrataCatalog
import Synchronization

/// Where every event goes once the catalog has stored it (in the same transaction as the change it
/// describes): the sink logs it and publishes it to the subscribers of its tenant — the event stream
/// (`GET /api/v1/events/stream`) today, alerting next. Ingest, the availability monitor, the remote-series
/// registrar and the discovery queue all emit through here; nothing else announces events.
///
/// Handlers run on the emitting task and must not block: they copy what they need and return (the stream
/// handler only wakes its connection).
public final class EventSink: Sendable {
    /// A subscription; pass it to `cancel` to stop receiving.
    public struct Subscription: Sendable, Hashable {
        let id: UInt64
    }

    private struct Subscriber {
        /// Nil: every tenant's events (internal consumers).
        var tenantID: String?
        var handler: @Sendable ([EventRecord]) -> Void
    }

    private struct State {
        var next: UInt64 = 0
        var subscribers: [UInt64: Subscriber] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger
    private let published = Counter(label: "strata_events_published_total")

    /// A sink that logs with `logger`.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Calls `handler` with each later batch of `tenantID`'s events (every tenant's when nil), until cancelled.
    public func subscribe(tenantID: String?, _ handler: @escaping @Sendable ([EventRecord]) -> Void) -> Subscription {
        state.withLock { state in
            state.next += 1
            state.subscribers[state.next] = Subscriber(tenantID: tenantID, handler: handler)
            return Subscription(id: state.next)
        }
    }

    /// Stops a subscription.
    public func cancel(_ subscription: Subscription) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: subscription.id) }
    }

    /// Number of live subscriptions (for tests and metrics).
    public var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Logs stored `events` (log records at debug, the rest at their severity's level) and publishes them.
    public func emit(_ events: [EventRecord]) {
        guard !events.isEmpty else { return }
        for event in events {
            let level: Logger.Level = switch (event.kind, event.severity) {
            case (.log, _): .debug
            case (_, .info): .info
            case (_, .warning): .warning
            case (_, .error), (_, .critical): .error
            }
            logger.log(level: level, "event", metadata: [
                "kind": "\(event.kind)", "resource": "\(event.resourceID ?? "-")", "tenant": "\(event.tenantID)",
                "message": "\(event.message)",
            ])
        }
        published.increment(by: events.count)
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for subscriber in subscribers {
            if let tenant = subscriber.tenantID {
                let own = events.filter { $0.tenantID == tenant }
                if !own.isEmpty { subscriber.handler(own) }
            } else {
                subscriber.handler(events)
            }
        }
    }
}
