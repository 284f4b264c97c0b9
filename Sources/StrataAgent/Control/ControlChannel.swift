import Logging
import StrataControl
import StrataCore
import Synchronization

/// The agent's command channel (docs/protocol.md, "Commands (control)"): one thread long-polls the server for
/// commands, checks each (`CommandCheck`, `ActionPreparation`), journals it and runs it on a thread of its own;
/// another sends the reports, oldest first, each until acknowledged. Commands on one resource (a server, a VM, one
/// process or script of the platform) run one at a time, in the order fetched (a later one waits, unaccepted, for the
/// next fetch); an action without a result after `actionTimeoutMs` is given up and reported failed.
final class ControlChannel: Sendable {
    /// What the server sends and the agent reports: the resources it may act on.
    let registry = ControlRegistry()
    let session: ControlSession
    let journal: CommandJournalFile
    let outbox = CommandOutbox()
    let preparation: ActionPreparation
    let agentID: String
    let logger: Logger
    /// The commands running and the resources they hold.
    private let running = Mutex(RunningCommands())
    /// How long an action may take before the command is given up (a script is killed at its own timeout first).
    let actionTimeoutMs: Int64
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let lastSweepMs = Atomic<Int64>(0)
    /// The live window the last fetch brought (docs/agent.md "Live mode").
    private let live = Mutex(LiveWindowState())

    /// How long the server may hold a fetch, in milliseconds (the HTTP client waits longer).
    static let waitMs = 25_000
    /// The message of a command the agent stopped while running.
    static let interruptedMessage = "the agent stopped while running it; its outcome is unknown"

    /// A channel journaling in `DATA/commands.journal` and running scripts from `DATA/actions`.
    init(agentID: String, dataDirectory: String, fs: HostFS, session: ControlSession, logger: Logger,
         scriptTimeoutMs: Int64 = 60_000, actionTimeoutMs: Int64 = 75_000) throws(FileError) {
        self.agentID = agentID
        self.actionTimeoutMs = actionTimeoutMs
        self.session = session
        self.logger = logger
        journal = try CommandJournalFile(path: dataDirectory + "/commands.journal")
        preparation = ActionPreparation(fs: fs, actionsDirectory: dataDirectory + "/actions", scriptTimeoutMs: scriptTimeoutMs,
                                        serverOutputDirectory: dataDirectory + "/server-output")
        for id in journal.interruptedAtStart {
            logger.warning("command was running when the agent stopped; reporting it interrupted", metadata: ["command": "\(id)"])
            outbox.post(id, CommandReport(.interrupted, message: Self.interruptedMessage), journaled: true)
        }
    }

    /// Starts the fetching and reporting threads (once; later calls do nothing). False when the system refused a
    /// thread.
    @discardableResult
    func start() -> Bool {
        guard started.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else { return true }
        return DetachedThread.start { self.fetchLoop() } && DetachedThread.start { self.reportLoop() }
    }

    /// Stops both threads: no further fetch, the reporter ends after its current attempt. A command still running
    /// ends with the process; its journal entry makes the next start report it interrupted.
    func stop() {
        stopped.store(true, ordering: .relaxed)
        outbox.stop()
    }

    var isStopped: Bool { stopped.load(ordering: .relaxed) }

    /// The live interval the server asked for, while its window is open; nil otherwise.
    var liveIntervalMs: Int64? {
        let now = Clock.monotonicMs()
        return live.withLock { $0.interval(nowMs: now) }
    }

    // MARK: Fetching

    private func fetchLoop() {
        var backoff = Backoff(initialMs: 1000, maximumMs: 30_000)
        while !isStopped {
            guard let (credential, client) = session.session else {
                _ = outbox.sleep(untilMs: Clock.monotonicMs() + 1000)
                continue
            }
            var pause: Int64 = 0
            do {
                let response = try client.send(method: "GET", path: "/api/agent/v1/commands?waitMs=\(Self.waitMs)",
                                               headers: [("Authorization", "Bearer \(credential)")])
                guard response.status == 200 else { throw CommandWire.AnswerError(description: "HTTP \(response.status): \(response.text.prefix(200))") }
                let (commands, order) = try CommandWire.answer(in: response.body, agentID: agentID)
                if live.withLock({ $0.apply(order, nowMs: Clock.monotonicMs()) }), let order {
                    logger.info("live mode: collecting the platform faster while it is watched",
                                metadata: ["intervalMs": "\(max(CollectionCadence.fastestMs, order.intervalMs))", "forMs": "\(order.forMs)"])
                }
                if backoff.failures > 0 { logger.info("command channel open again", metadata: ["after": "\(backoff.failures) failed fetches"]) }
                backoff.succeed()
                // A command not taken now (its resource busy, or already journaled with a report on its way) comes
                // back only after the server's redelivery interval, so the next fetch may wait for new work at once.
                for command in commands where !isStopped { handle(command, credential: credential) }
            } catch {
                pause = backoff.fail()
                if backoff.failures == 1 || backoff.failures % 20 == 0 {
                    logger.warning("cannot fetch commands; retrying", metadata: ["reason": "\(error)", "retryInMs": "\(pause)",
                                                                              "attempts": "\(backoff.failures)"])
                }
            }
            if pause > 0 { _ = outbox.sleep(untilMs: Clock.monotonicMs() + pause) }
            sweepCgroupsWhenDue()
        }
    }

    /// How often the fetching thread removes cgroups of the agent whose processes have ended (also before every
    /// cgroup action).
    static let sweepEveryMs: Int64 = 300_000

    private func sweepCgroupsWhenDue() {
        let now = Clock.monotonicMs()
        let last = lastSweepMs.load(ordering: .relaxed)
        guard last == 0 || now - last >= Self.sweepEveryMs else { return }
        lastSweepMs.store(now, ordering: .relaxed)
        let removed = CgroupControl(fs: preparation.fs).sweep()
        if !removed.isEmpty {
            logger.info("removed cgroups of the agent whose processes ended", metadata: ["cgroups": "\(removed.joined(separator: ", "))"])
        }
    }

    /// Checks one fetched command and refuses it or starts it; false when it was left for a later fetch (already
    /// handled, or its resource busy).
    @discardableResult
    func handle(_ fetched: FetchedCommand, credential: String, nowMs: Int64 = Clock.nowMs()) -> Bool {
        let id = fetched.id
        guard case .run = journal.decision(for: id), !outbox.holds(id), !running.withLock({ $0.holds(id) }) else { return false }
        let checked: CheckedCommand
        switch fetched.content.flatMap({ signed in
            CommandCheck.check(signed, credential: credential, nowMs: nowMs) { self.registry.target(kind: $0, key: $1) }
        }) {
        case .failure(let refusal): return refuse(id, refusal)
        case .success(let command): checked = command
        }
        // What one command at a time may act on: a server or VM; on the platform, one process or one script.
        let resource = checked.command.resourceKind.rawValue + " " + checked.command.resourceKey
            + (checked.target == .platform ? " " + (checked.parameters["pid"] ?? checked.parameters["script"] ?? "") : "")
        guard running.withLock({ $0.reserve(resource) }) else { return false }
        let prepared: PreparedAction
        switch preparation.prepare(checked) {
        case .failure(let refusal):
            running.withLock { $0.release(resource) }
            return refuse(id, refusal)
        case .success(let action): prepared = action
        }
        do {
            try journal.record(id, .accepted)
        } catch {
            running.withLock { $0.release(resource) }
            logger.error("cannot journal a command; refusing it", metadata: ["command": "\(id)", "error": "\(error)"])
            return refuse(id, CommandRefusal("cannot write the command journal (\(error)), so the agent cannot promise to run it only once"))
        }
        running.withLock { $0.started(id, deadlineMs: Clock.monotonicMs() + actionTimeoutMs) }
        logger.info("running command", metadata: ["command": "\(id)", "action": "\(checked.command.action)", "resource": "\(resource)"])
        outbox.post(id, CommandReport(.accepted), journaled: true)
        outbox.post(id, CommandReport(.running), journaled: true)
        let fs = preparation.fs
        let run: @Sendable () -> Void = {
            let startMs = Clock.monotonicMs()
            let outcome = prepared.run(fs: fs)
            let report = CommandReport(outcome.succeeded ? .succeeded : .failed, exitStatus: outcome.exitStatus,
                                       stdout: outcome.stdout.map { CommandReport.clipped($0) }, stderr: outcome.stderr.map { CommandReport.clipped($0) },
                                       durationMs: Clock.monotonicMs() - startMs, message: outcome.message)
            guard self.running.withLock({ $0.finished(id, resource: resource) }) else {
                self.logger.warning("command returned after it was given up; its result is dropped",
                                    metadata: ["command": "\(id)", "state": "\(report.state.rawValue)", "message": "\(outcome.message)"])
                return
            }
            self.outbox.post(id, report, journaled: true)
            self.logger.info("command finished", metadata: ["command": "\(id)", "state": "\(report.state.rawValue)", "message": "\(outcome.message)"])
        }
        if !DetachedThread.start(run) { run() }
        return true
    }

    private func refuse(_ id: String, _ refusal: CommandRefusal) -> Bool {
        logger.warning("refusing command", metadata: ["command": "\(id)", "reason": "\(refusal)"])
        outbox.post(id, CommandReport(.refused, message: refusal.description), journaled: false)
        return true
    }

    /// Whether a command is running.
    var isRunningCommands: Bool { running.withLock { !$0.deadlines.isEmpty } }

    /// Reports the commands past their deadline failed; their late results are dropped.
    private func giveUpOverdue() {
        for id in running.withLock({ $0.giveUp(nowMs: Clock.monotonicMs()) }) {
            logger.error("command has no result in time; reporting it failed", metadata: ["command": "\(id)", "timeoutMs": "\(actionTimeoutMs)"])
            outbox.post(id, CommandReport(.failed, durationMs: actionTimeoutMs,
                                          message: "no result within \(actionTimeoutMs) ms; given up (the action may still take effect)"),
                        journaled: true)
        }
    }

    // MARK: Reporting

    private func reportLoop() {
        var backoff = Backoff(initialMs: 1000, maximumMs: 30_000)
        while !outbox.isStopped {
            giveUpOverdue()
            guard let entry = outbox.first(waitingUntilMs: Clock.monotonicMs() + 1000) else { continue }
            guard let (credential, client) = session.session else {
                _ = outbox.sleep(untilMs: Clock.monotonicMs() + 1000)
                continue
            }
            let answer: ReportAnswer
            do {
                let response = try client.send(method: "POST", path: "/api/agent/v1/commands/\(entry.id)",
                                               headers: [("Authorization", "Bearer \(credential)"), ("Content-Type", "application/json")],
                                               body: Array(entry.report.json.utf8))
                answer = ReportAnswer.classify(status: response.status, body: response.text)
            } catch {
                answer = .retry(error.description)
            }
            switch answer {
            case .acknowledged:
                outbox.removeFirst()
                backoff.succeed()
                if entry.report.isFinal && entry.journaled { journalDone(entry.id) }
            case .dropped(let reason):
                logger.error("server refused a command report; dropping the command's reports", metadata: ["command": "\(entry.id)", "reason": "\(reason)"])
                outbox.removeAll(entry.id)
                if entry.journaled { journalDone(entry.id) }
            case .retry(let reason):
                let delay = backoff.fail()
                if backoff.failures == 1 || backoff.failures % 20 == 0 {
                    logger.warning("cannot report on a command; retrying", metadata: ["command": "\(entry.id)", "reason": "\(reason)", "retryInMs": "\(delay)"])
                }
                _ = outbox.sleep(untilMs: Clock.monotonicMs() + delay)
            }
        }
    }

    private func journalDone(_ id: String) {
        do { try journal.record(id, .done) } catch {
            logger.error("cannot journal a command as done; it is reported again after a restart", metadata: ["command": "\(id)", "error": "\(error)"])
        }
    }
}
