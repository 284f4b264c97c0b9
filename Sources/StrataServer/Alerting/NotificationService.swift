import Foundation
import Logging
import ServiceLifecycle
import StrataCatalog

/// Delivers the notification outbox: every pending notification whose time has come is sent (up to
/// `concurrency` at once, so a hanging receiver delays nothing else), and each attempt is recorded: delivered,
/// retried later with backoff, or failed for good (not retryable, or out of attempts). Rows are written with the
/// alert change they tell of, so after a crash every stored notification is still delivered; receivers dedupe on
/// the delivery id (`X-Strata-Delivery`), which a retry keeps.
struct NotificationService: Service {
    let catalog: any Catalog
    let logger: Logger
    var delivery: NotificationDelivery
    var schedule = RetrySchedule()
    var concurrency = 8
    var pollInterval: Duration = .milliseconds(50)

    init(catalog: any Catalog, logger: Logger, timeout: Duration = .seconds(10)) {
        self.catalog = catalog
        self.logger = logger
        delivery = NotificationDelivery(logger: logger, timeout: timeout)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let due = (try? await catalog.dueNotifications(nowMs: Time.nowMs(), limit: concurrency * 4)) ?? []
                if due.isEmpty {
                    try? await Task.sleep(for: pollInterval)
                    continue
                }
                await withTaskGroup(of: Void.self) { group in
                    var running = 0
                    for notification in due {
                        if running >= concurrency {
                            await group.next()
                            running -= 1
                        }
                        group.addTask { await attempt(notification) }
                        running += 1
                    }
                }
            }
        }
    }

    func attempt(_ record: NotificationRecord) async {
        let started = Time.nowMs()
        var failure: DeliveryError?
        do {
            let notification = try JSONDecoder().decode(AlertNotification.self, from: Data(record.payloadJSON.utf8))
            let target = try JSONDecoder().decode(NotificationTarget.self, from: Data(record.targetJSON.utf8))
            do throws(DeliveryError) {
                try await delivery.deliver(notification, to: target)
            } catch {
                failure = error
            }
        } catch {
            failure = DeliveryError(retryable: false, message: "stored notification unreadable: \(error)")
        }
        let now = Time.nowMs()
        let next = failure.flatMap { error in
            error.retryable ? schedule.nextAttempt(afterAttempt: record.attempts + 1, lastAttemptMs: now, jitter: Double.random(in: 0..<1),
                                                   firstAttemptMs: record.createdMs) : nil
        }
        if let failure {
            logger.warning("notification not delivered", metadata: ["notification": "\(record.id)", "error": "\(failure.message)",
                                                                    "retry": "\(next.map { "at \($0)" } ?? "no")"])
        }
        do {
            try await catalog.recordAttempt(id: record.id, delivered: failure == nil, error: failure?.message, nextAttemptMs: next, nowMs: now)
        } catch {
            logger.error("notification attempt not recorded", metadata: ["notification": "\(record.id)", "error": "\(error)",
                                                                         "tookMs": "\(now - started)"])
        }
    }
}
