import Foundation
import Logging
import ServiceLifecycle
import StrataCatalog

/// Delivers the notification outbox: pending notifications whose time has come are sent, up to `concurrency` at once
/// and at most `perTarget` to any one target, and the outbox is polled again whenever a delivery ends or every
/// `pollInterval` — so a receiver that hangs until the timeout holds its own slots, never the others'. Each attempt is
/// recorded: delivered, retried later with backoff, or failed for good (not retryable, or out of attempts). Rows are
/// written with the alert change they tell of, so after a crash every stored notification is still delivered;
/// receivers dedupe on the delivery id (`X-Strata-Delivery`), which a retry keeps.
struct NotificationService: Service {
    let catalog: any Catalog
    let logger: Logger
    var delivery: NotificationDelivery
    var schedule = RetrySchedule()
    var concurrency = 8
    var perTarget = 2
    var pollInterval: Duration = .milliseconds(50)

    init(catalog: any Catalog, logger: Logger, timeout: Duration = .seconds(10)) {
        self.catalog = catalog
        self.logger = logger
        delivery = NotificationDelivery(logger: logger, timeout: timeout)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: NotificationRecord?.self) { group in
                var inFlight = Set<String>()
                var perTargetCount: [String: Int] = [:]
                var sleeping = false
                while !Task.isCancelled {
                    if inFlight.count < concurrency {
                        let due = (try? await catalog.dueNotifications(nowMs: Time.nowMs(), limit: concurrency * 8)) ?? []
                        for record in due where inFlight.count < concurrency && !inFlight.contains(record.id)
                            && perTargetCount[record.targetJSON, default: 0] < perTarget {
                            inFlight.insert(record.id)
                            perTargetCount[record.targetJSON, default: 0] += 1
                            group.addTask { await attempt(record); return record }
                        }
                    }
                    if !sleeping {
                        sleeping = true
                        group.addTask { try? await Task.sleep(for: pollInterval); return nil }
                    }
                    guard let finished = await group.next() else { continue }
                    if let record = finished {
                        inFlight.remove(record.id)
                        perTargetCount[record.targetJSON, default: 1] -= 1
                        if perTargetCount[record.targetJSON] == 0 { perTargetCount[record.targetJSON] = nil }
                    } else {
                        sleeping = false
                    }
                }
                group.cancelAll()
            }
        }
    }

    func attempt(_ record: NotificationRecord) async {
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
            logger.error("notification attempt not recorded", metadata: ["notification": "\(record.id)", "error": "\(error)"])
        }
    }
}
