import Logging
import StrataCore

/// Delivers spooled batches to the server in sequence order, with the agent's own credential.
struct Uplink: Sendable {
    let client: HTTPClient
    var enrollment: Enrollment
    let logger: Logger
    var backoff = Backoff()
    /// Time before which no delivery is attempted (after failures).
    var notBeforeMs: Int64 = 0
    /// Batches the server rejected as invalid, since start.
    var rejected = 0

    init(client: HTTPClient, enrollment: Enrollment, logger: Logger) {
        self.client = client
        self.enrollment = enrollment
        self.logger = logger
    }

    /// Sends spooled batches oldest first; stops at the first one that must be retried. Enrolls first
    /// when the agent has no credential yet.
    mutating func deliver(spool: Spool, nowMs: Int64, agentID: String, platformKey: String) {
        guard nowMs >= notBeforeMs else { return }
        let token: String
        switch enrollment.current(agentID: agentID, platformKey: platformKey) {
        case .success(let credential): token = credential
        case .failure(let failure):
            retryLater(failure.reason, spool: spool, nowMs: nowMs)
            return
        }
        for sequence in spool.pending() {
            guard let body = spool.read(sequence: sequence) else { continue }
            let outcome: UplinkOutcome
            do {
                let response = try client.send(method: "POST", path: "/api/agent/v1/batches", headers: [
                    ("Authorization", "Bearer \(token)"),
                    ("Content-Type", "application/x-strata-batch"),
                ], body: body)
                outcome = UplinkOutcome.classify(status: response.status, body: response.text)
            } catch {
                outcome = .retryLater(error.description)
            }
            switch outcome {
            case .acknowledgedWithRejections(let answer):
                logger.warning("server stored the batch but refused some of its samples; is this host's clock right?", metadata: [
                    "sequence": "\(sequence)", "answer": "\(answer)",
                ])
                fallthrough
            case .acknowledged:
                spool.remove(sequence: sequence)
                if backoff.failures > 0 {
                    logger.info("server reachable again", metadata: ["after": "\(backoff.failures) failed attempts"])
                }
                backoff.succeed()
            case .rejected(let reason):
                rejected += 1
                logger.error("server rejected a batch, dropping it", metadata: [
                    "sequence": "\(sequence)", "reason": "\(reason)", "rejectedTotal": "\(rejected)",
                ])
                spool.remove(sequence: sequence)
            case .reenroll(let reason):
                enrollment.forget()
                retryLater(reason, spool: spool, nowMs: nowMs)
                return
            case .retryLater(let reason):
                retryLater(reason, spool: spool, nowMs: nowMs)
                return
            }
        }
    }

    private mutating func retryLater(_ reason: String, spool: Spool, nowMs: Int64) {
        let delay = backoff.fail()
        notBeforeMs = nowMs + delay
        if backoff.failures == 1 || backoff.failures % 10 == 0 {
            logger.warning("cannot deliver batches, keeping them spooled", metadata: [
                "reason": "\(reason)", "spooled": "\(spool.pending().count)", "retryInMs": "\(delay)",
                "attempts": "\(backoff.failures)",
            ])
        }
    }
}
