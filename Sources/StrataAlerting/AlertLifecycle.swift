/// The lifecycle of one alert (one definition on one resource or series) as a value-type state machine: feed it
/// condition observations, clock ticks and people's actions; it returns the transitions to record and notify.
/// No I/O, no clock of its own (every input carries its time), so the same inputs always give the same outputs.
///
/// Rules (docs/alerting.md):
/// - The condition holding starts `pending`; held for `policy.forMs` (checked on each observation and tick) the
///   alert fires. Cleared while pending, it goes back to `inactive` without telling anyone.
/// - Firing or acknowledged, a cleared condition resolves it — once it has fired for `policy.minFiringMs`.
/// - Resolved by hand while the condition still holds, it is disarmed: it fires again only after the condition
///   has cleared once (a person's "I know" is not overridden by the next sample).
/// - `flapThreshold` firing/resolved changes within `flapWindowMs` mark it flapping: one notification says so,
///   the changes go on being recorded without notifications, and a whole window in one state ends the mark
///   with one notification of the state it settled in.
public struct AlertLifecycle: Sendable, Equatable, Codable {
    /// The current state.
    public private(set) var state: AlertState = .inactive
    /// When the current state began, Unix ms.
    public private(set) var sinceMs: Int64 = 0
    /// Since when the condition has held without interruption; nil while it does not hold.
    public private(set) var activeSinceMs: Int64?
    /// When the current (or last) firing episode's condition started to hold: Alertmanager's `startsAt`.
    public private(set) var startsAtMs: Int64?
    /// When the alert last started firing.
    public private(set) var firingSinceMs: Int64?
    /// The last observed value, for notifications and templates.
    public private(set) var lastValue: Double?
    /// Whether it is marked flapping.
    public private(set) var flapping = false
    /// Times of firing/resolved changes within the flap window, oldest first.
    public private(set) var changes: [Int64] = []
    /// False after a resolve by hand while the condition held, until it clears.
    public private(set) var armed = true
    /// Who acknowledged the open alert.
    public private(set) var acknowledgedBy: String?

    /// A lifecycle that has seen nothing.
    public init() {}

    /// Records whether the condition holds at `atMs` (observations must not go back in time; older ones only update
    /// nothing but the value) and returns the transitions that follow.
    public mutating func observe(active: Bool, value: Double?, atMs: Int64, policy: LifecyclePolicy) -> [AlertTransition] {
        if let value { lastValue = value }
        var out: [AlertTransition] = []
        if active {
            if activeSinceMs == nil { activeSinceMs = atMs }
            guard armed else { return out }
            if state == .inactive || state == .resolved {
                startsAtMs = activeSinceMs
                move(to: .pending, atMs: atMs, reason: .conditionMet, into: &out, policy: policy)
            }
            fireIfHeld(atMs: atMs, policy: policy, into: &out)
        } else {
            activeSinceMs = nil
            armed = true
            if state == .pending {
                move(to: .inactive, atMs: atMs, reason: .conditionCleared, into: &out, policy: policy)
            } else {
                resolveIfDue(atMs: atMs, policy: policy, into: &out)
            }
        }
        endFlappingIfQuiet(atMs: atMs, policy: policy, into: &out)
        return out
    }

    /// Advances time without an observation: `for` elapsing, a delayed recovery, the end of flapping.
    public mutating func tick(atMs: Int64, policy: LifecyclePolicy) -> [AlertTransition] {
        var out: [AlertTransition] = []
        if activeSinceMs != nil, armed { fireIfHeld(atMs: atMs, policy: policy, into: &out) } else if activeSinceMs == nil {
            resolveIfDue(atMs: atMs, policy: policy, into: &out)
        }
        endFlappingIfQuiet(atMs: atMs, policy: policy, into: &out)
        return out
    }

    /// A person takes the firing alert: it stays open, escalation stops.
    public mutating func acknowledge(by actor: String, atMs: Int64, policy: LifecyclePolicy) throws(LifecycleError) -> [AlertTransition] {
        guard state == .firing else { throw LifecycleError(state: state, action: "acknowledge") }
        var out: [AlertTransition] = []
        acknowledgedBy = actor
        move(to: .acknowledged, atMs: atMs, reason: .acknowledged, into: &out, policy: policy, actor: actor)
        return out
    }

    /// A person closes the alert; if its condition still holds it stays quiet until the condition has cleared once.
    public mutating func resolve(by actor: String, atMs: Int64, policy: LifecyclePolicy) throws(LifecycleError) -> [AlertTransition] {
        guard state == .pending || state.isOpen else { throw LifecycleError(state: state, action: "resolve") }
        var out: [AlertTransition] = []
        if activeSinceMs != nil { armed = false }
        move(to: .resolved, atMs: atMs, reason: .resolvedByHand, into: &out, policy: policy, actor: actor)
        return out
    }

    private mutating func fireIfHeld(atMs: Int64, policy: LifecyclePolicy, into out: inout [AlertTransition]) {
        guard state == .pending, let since = activeSinceMs else { return }
        let (held, overflow) = atMs.subtractingReportingOverflow(since)
        guard overflow || held >= policy.forMs else { return }
        move(to: .firing, atMs: atMs, reason: policy.forMs > 0 ? .heldFor : .conditionMet, into: &out, policy: policy)
    }

    private mutating func resolveIfDue(atMs: Int64, policy: LifecyclePolicy, into out: inout [AlertTransition]) {
        guard state.isOpen, let since = firingSinceMs else { return }
        let (fired, overflow) = atMs.subtractingReportingOverflow(since)
        guard overflow || fired >= policy.minFiringMs else { return }
        move(to: .resolved, atMs: atMs, reason: .conditionCleared, into: &out, policy: policy)
    }

    private mutating func endFlappingIfQuiet(atMs: Int64, policy: LifecyclePolicy, into out: inout [AlertTransition]) {
        guard flapping, let last = changes.last else { return }
        let (quiet, overflow) = atMs.subtractingReportingOverflow(last)
        guard overflow || quiet >= policy.flapWindowMs else { return }
        flapping = false
        changes.removeAll()
        out.append(AlertTransition(from: state, to: state, atMs: atMs, reason: .flapEnded, notify: true))
    }

    private mutating func move(to next: AlertState, atMs: Int64, reason: TransitionReason, into out: inout [AlertTransition],
                               policy: LifecyclePolicy, actor: String? = nil) {
        let previous = state
        state = next
        sinceMs = atMs
        switch next {
        case .firing: firingSinceMs = atMs
        case .resolved, .inactive: acknowledgedBy = nil
        default: break
        }
        // Only entering and leaving `firing` counts towards flapping (pending blips are nobody's concern).
        let counts = next == .firing || (previous.isOpen && next == .resolved)
        var notify = next != .pending && next != .inactive
        if counts {
            changes.removeAll { atMs.subtractingReportingOverflow($0).partialValue >= policy.flapWindowMs }
            changes.append(atMs)
        }
        if flapping { notify = false }
        out.append(AlertTransition(from: previous, to: next, atMs: atMs, reason: reason, notify: notify, actor: actor))
        if counts, !flapping, policy.flapThreshold > 0, changes.count >= policy.flapThreshold {
            flapping = true
            // The change that tipped it is told as "flapping" instead.
            out[out.count - 1].notify = false
            out.append(AlertTransition(from: next, to: next, atMs: atMs, reason: .flapping, notify: true))
        }
    }
}
