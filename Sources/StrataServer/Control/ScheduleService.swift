import Foundation
import Logging
import ServiceLifecycle
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore

/// Runs control schedules (docs/control.md "Group actions and schedules"): each enabled schedule's next run from its
/// cron expression in its time zone (`StrataControl.CronSchedule`); when it comes, a group run over the schedule's
/// target requested by `schedule:NAME`, on the authority of the schedule's creator (`ScheduleCreator`). Each firing
/// reads the schedule as stored and records only its run fields back (`record`); schedules due together fire up to
/// `maxConcurrentFirings` at once. A run missed while the server was down is made up once if it is at most
/// `catchUpMs` late, else skipped (logged).
actor ScheduleService {
    static let catchUpMs: Int64 = 300_000
    /// How long the loop sleeps at most before looking again (new schedules wake it at once).
    static let defaultMaxSleepMs: Int64 = 30_000
    let maxSleepMs: Int64
    /// Most schedules fired at once.
    static let maxConcurrentFirings = 4
    /// How often recording a run is tried when the schedule changes under it.
    static let recordAttempts = 5

    let catalog: any Catalog
    let runner: GroupRunner
    let audit: AuditTrail
    let logger: Logger
    let clock: @Sendable () -> Int64
    /// Every tenant's schedules with the instant each runs next (nil: disabled or never again).
    private var schedules: [String: (tenantID: String, schedule: API.Schedule, nextMs: Int64?)] = [:]
    private var wakeUp: CheckedContinuation<Void, Never>?

    init(catalog: any Catalog, runner: GroupRunner, audit: AuditTrail, logger: Logger, clock: @escaping @Sendable () -> Int64,
         maxSleepMs: Int64 = ScheduleService.defaultMaxSleepMs) {
        self.maxSleepMs = maxSleepMs
        self.catalog = catalog
        self.runner = runner
        self.audit = audit
        self.logger = logger
        self.clock = clock
    }

    /// The schedule's cron expression in its zone, or a 400 naming the field.
    static func cron(_ schedule: API.Schedule) throws -> CronSchedule {
        let expression: CronExpression
        do {
            expression = try CronExpression(schedule.cron)
        } catch {
            throw APIError.badData("cron: \(error.description)")
        }
        guard let zone = TZDatabaseZone(schedule.timezone) else {
            throw APIError.badData("timezone: unknown time zone \"\(schedule.timezone)\"; use a tz database name such as Europe/Berlin, "
                                   + "Etc/GMT-5 (UTC+5) or UTC" + (TZDatabaseZone.installed ? "" : " (this server has no tz database: install tzdata)"))
        }
        return CronSchedule(expression, zone: zone)
    }

    /// The next `count` runs after now (none when disabled).
    func nextRuns(_ schedule: API.Schedule, count: Int = 5) -> [Int64] {
        guard schedule.enabled, let cron = try? Self.cron(schedule) else { return [] }
        return cron.next(count, afterMs: clock())
    }

    /// Loads every tenant's schedules.
    func load() async {
        do {
            for stored in try await catalog.schedules(tenantID: nil) {
                guard let schedule = try? JSONDecoder().decode(API.Schedule.self, from: Data(stored.bodyJSON.utf8)) else { continue }
                track(schedule, tenantID: stored.tenantID, from: schedule.lastRunMs ?? schedule.createdMs)
            }
        } catch {
            logger.error("cannot load control schedules", metadata: ["error": "\(error)"])
        }
    }

    /// Starts following a saved schedule (replacing its previous form) from now.
    func saved(_ schedule: API.Schedule, tenantID: String) {
        track(schedule, tenantID: tenantID, from: clock())
        wakeUp?.resume()
        wakeUp = nil
    }

    func deleted(_ id: String) {
        schedules[id] = nil
    }

    private func track(_ schedule: API.Schedule, tenantID: String, from: Int64) {
        let next = schedule.enabled ? (try? Self.cron(schedule))?.next(afterMs: from) : nil
        schedules[schedule.id] = (tenantID, schedule, next)
    }

    /// Fires every schedule due at `now`, at most `maxConcurrentFirings` at once; returns when the next one is due.
    func fireDue(now: Int64) async -> Int64? {
        var due: [(id: String, tenantID: String)] = []
        for (id, entry) in schedules {
            guard let dueMs = entry.nextMs, dueMs <= now else { continue }
            schedules[id]?.nextMs = (try? Self.cron(entry.schedule))?.next(afterMs: now)
            guard now - dueMs <= Self.catchUpMs else {
                logger.warning("control schedule run skipped: it was due while the server was down",
                               metadata: ["schedule": "\(entry.schedule.name)", "dueMs": "\(dueMs)"])
                continue
            }
            due.append((id, entry.tenantID))
        }
        // Each firing awaits the catalog and the runner, so they overlap on this actor; the bound keeps a burst of
        // due schedules (every tenant's `@hourly`) from resolving all their targets at once.
        await withTaskGroup(of: Void.self) { group in
            for (index, firing) in due.enumerated() {
                if index >= Self.maxConcurrentFirings { await group.next() }
                group.addTask { await self.fire(id: firing.id, tenantID: firing.tenantID, now: now) }
            }
        }
        return schedules.values.compactMap(\.nextMs).min()
    }

    /// Fires one schedule as it is stored now (a DELETE or PUT stores before it tells the scheduler): a group run on
    /// its creator's authority, or — when they may no longer control — no run, the reason recorded and audited.
    private func fire(id: String, tenantID: String, now: Int64) async {
        let stored: StoredSchedule
        let denial: String?
        do {
            guard let body = try await catalog.schedule(tenantID: tenantID, id: id), let read = StoredSchedule.read(body), read.schedule.enabled else { return }
            stored = read
            denial = try await ScheduleCreator.denial(of: stored, tenantID: tenantID, catalog: catalog, nowMs: now)
        } catch {
            logger.error("cannot read a control schedule to fire it", metadata: ["schedule": "\(id)", "error": "\(error)"])
            return
        }
        let schedule = stored.schedule
        var (runID, reason, outcome): (String?, String?, String) = (nil, denial.map { "not run: \($0)" }, "denied")
        if denial == nil {
            let order = GroupRunner.Order(target: schedule.target, action: schedule.action, parameters: schedule.parameters,
                                          concurrency: schedule.concurrency, stopOnFailure: schedule.stopOnFailure, deadline: schedule.deadline)
            do {
                runID = try await runner.start(order, tenantID: tenantID, actor: "schedule:\(schedule.name)").id
                outcome = "ok"
            } catch {
                (reason, outcome) = ("not run: \((error as? APIError)?.message ?? "\(error)")", "refused")
            }
        }
        if let reason { logger.warning("control schedule run not started", metadata: ["schedule": "\(schedule.name)", "reason": "\(reason)"]) }
        await audit.record(AuditRecord(tenantID: tenantID, timeMs: now, actor: "schedule:\(schedule.name)", action: "control.schedule.run",
                                       target: "schedule:\(id)", outcome: outcome, detail: runID.map { "group run \($0)" } ?? reason ?? "", remote: ""))
        await record(id: id, tenantID: tenantID) { fired in
            fired.lastRunMs = now
            fired.lastRunId = runID
            fired.lastError = reason
        }
    }

    /// Records a firing on the schedule as it is stored now — only its run fields change (`update`): the scheduler's
    /// copy may be stale, since a PUT or DELETE stores its change before it tells the scheduler, and the firing awaits
    /// in between. A schedule deleted meanwhile stays deleted; one changed meanwhile keeps the change.
    private func record(id: String, tenantID: String, _ update: (inout API.Schedule) -> Void) async {
        do {
            for _ in 0..<Self.recordAttempts {
                guard let body = try await catalog.schedule(tenantID: tenantID, id: id), var stored = StoredSchedule.read(body) else { return }
                update(&stored.schedule)
                switch try await catalog.updateSchedule(try stored.body(tenantID: tenantID), name: stored.schedule.name, ifBodyIs: body.bodyJSON) {
                case .updated:
                    if var entry = schedules[id] {
                        update(&entry.schedule)
                        schedules[id] = entry
                    }
                    return
                case .changed: continue
                case .missing, .nameTaken: return
                }
            }
            logger.warning("control schedule run not recorded: the schedule kept changing", metadata: ["schedule": "\(id)"])
        } catch {
            logger.error("cannot record a control schedule's run", metadata: ["schedule": "\(id)", "error": "\(error)"])
        }
    }

    /// Sleeps until `untilMs`, a schedule is saved, or the calling task is cancelled (the server stops).
    func sleep(untilMs: Int64) async {
        let ms = min(max(0, untilMs - clock()), maxSleepMs)
        guard ms > 0, !Task.isCancelled else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                // A cancellation that came before this point found nothing to resume: look here.
                guard !Task.isCancelled else { return continuation.resume() }
                wakeUp = continuation
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(ms))
                    await self?.endSleep()
                }
            }
        } onCancel: {
            Task { await self.endSleep() }
        }
    }

    private func endSleep() {
        wakeUp?.resume()
        wakeUp = nil
    }
}

/// The loop that fires schedules, as a service.
struct ScheduleLoop: Service {
    let schedules: ScheduleService
    let runner: GroupRunner
    let clock: @Sendable () -> Int64

    func run() async throws {
        await runner.interruptLeftovers()
        await schedules.load()
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let next = await schedules.fireDue(now: clock())
                await schedules.sleep(untilMs: next ?? clock() + schedules.maxSleepMs)
            }
        }
    }
}
