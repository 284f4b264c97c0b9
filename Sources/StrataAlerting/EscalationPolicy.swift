/// One step of an escalation chain: its first send goes `afterMs` after the alert started firing, then again every
/// `repeatMs`, `times` sends in all. Which targets it tells is the evaluator's business; this type only says when.
///
/// Invariants, kept by `init` (the API refuses values outside them, naming the field): `afterMs > 0`,
/// `1 ≤ times ≤ EscalationPolicy.maxTimes`, `repeatMs > 0` when `times > 1` and 0 otherwise.
public struct EscalationStep: Sendable, Equatable {
    /// How long after the firing transition the first send is due, ms.
    public private(set) var afterMs: Int64
    /// Between two sends of the step, ms (0 for a step sent once).
    public private(set) var repeatMs: Int64
    /// How many sends in all.
    public private(set) var times: Int

    /// A step; out-of-range values are clamped to the invariants.
    public init(afterMs: Int64, repeatMs: Int64 = 0, times: Int = 1) {
        self.afterMs = max(1, afterMs)
        self.times = min(max(1, times), EscalationPolicy.maxTimes)
        self.repeatMs = self.times > 1 ? max(1, repeatMs) : 0
    }

    /// The last send (0-based) due at or before `elapsedMs` after the firing transition, with its offset from it; nil
    /// while none is due. Nothing here can overflow: `send × repeatMs ≤ elapsedMs − afterMs`.
    func lastSend(atOrBefore elapsedMs: Int64) -> (send: Int, offsetMs: Int64)? {
        guard elapsedMs >= afterMs else { return nil }
        guard times > 1 else { return (0, afterMs) }
        let send = min(Int64(times - 1), (elapsedMs - afterMs) / repeatMs)
        return (Int(send), afterMs + send * repeatMs)
    }
}

/// A definition's escalation chain (docs/alerting.md, "Escalation"): steps told while an alert stays firing and
/// nobody has acknowledged it. The definition's own `notify` targets are "step 0", told at once of every change;
/// `steps[0]` is step 1.
///
/// Times are measured from the firing transition (`AlertLifecycle.firingSinceMs`), each step on its own (not after
/// the previous step). Pure and deterministic: the same firing start, window and policy give the same sends.
public struct EscalationPolicy: Sendable, Equatable {
    /// The most steps a chain may have.
    public static let maxSteps = 16
    /// The most sends a step may have.
    public static let maxTimes = 100

    /// The steps, at most `maxSteps`.
    public private(set) var steps: [EscalationStep]

    /// A chain (steps past `maxSteps` are dropped; the API refuses them).
    public init(steps: [EscalationStep] = []) {
        self.steps = Array(steps.prefix(Self.maxSteps))
    }

    /// Whether there is nothing to escalate to.
    public var isEmpty: Bool { steps.isEmpty }

    /// The sends that fell due after `handledThroughMs` (every one due so far when nil) and at or before `nowMs`, for
    /// an alert that started firing at `firingSinceMs`; in step order.
    ///
    /// Of the sends of one step that fell due in the window only the latest is returned: a window longer than the
    /// step's `repeat` (the server was down, or busy) tells the receivers once, not once per missed send.
    /// Overflow-safe for any inputs: a send whose time cannot be represented is never due.
    ///
    /// ```swift
    /// let policy = EscalationPolicy(steps: [EscalationStep(afterMs: 900_000, repeatMs: 600_000, times: 3)])
    /// policy.due(firingSinceMs: 0, after: nil, nowMs: 900_000)          // step 0, send 0, due at 900_000
    /// policy.due(firingSinceMs: 0, after: 900_000, nowMs: 2_400_000)    // step 0, send 2 (send 1 is skipped)
    /// ```
    public func due(firingSinceMs: Int64, after handledThroughMs: Int64?, nowMs: Int64) -> [EscalationSend] {
        guard nowMs >= firingSinceMs else { return [] }
        let (difference, overflow) = nowMs.subtractingReportingOverflow(firingSinceMs)
        let elapsedMs = overflow ? Int64.max : difference
        var sends: [EscalationSend] = []
        for (index, step) in steps.enumerated() {
            guard let last = step.lastSend(atOrBefore: elapsedMs) else { continue }
            let (dueMs, dueOverflow) = firingSinceMs.addingReportingOverflow(last.offsetMs)
            guard !dueOverflow, dueMs <= nowMs else { continue }
            if let handledThroughMs, dueMs <= handledThroughMs { continue }
            sends.append(EscalationSend(step: index, send: last.send, dueMs: dueMs))
        }
        return sends
    }
}

/// One escalation send that fell due (only `EscalationPolicy.due` makes them).
public struct EscalationSend: Sendable, Hashable {
    /// The reason escalations are recorded under in an alert's history.
    public static let historyReason = "escalated"

    /// The step's index in `EscalationPolicy.steps` (0-based; people count it from 1, the `notify` targets being 0).
    public var step: Int
    /// Which send of the step (0-based; the step has `times` of them).
    public var send: Int
    /// When it fell due, Unix ms.
    public var dueMs: Int64
}
