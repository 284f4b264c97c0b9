/// Where an alert of one definition on one resource (or series) stands.
///
/// `inactive` → `pending` (the condition holds, waiting for `for`) → `firing` → `acknowledged` (someone took it)
/// → `resolved` (the condition cleared, or someone resolved it by hand). `pending` falls back to `inactive`
/// when the condition clears before `for` has passed; nobody is notified of pending alerts.
public enum AlertState: String, Sendable, Codable, CaseIterable {
    case inactive, pending, firing, acknowledged, resolved

    /// Whether the alert is open: firing, or firing and acknowledged.
    public var isOpen: Bool { self == .firing || self == .acknowledged }
}

/// Why an alert changed state.
public enum TransitionReason: String, Sendable, Codable {
    /// The condition started to hold.
    case conditionMet = "condition-met"
    /// The condition held for the definition's `for` duration.
    case heldFor = "held-for"
    /// The condition no longer holds.
    case conditionCleared = "condition-cleared"
    /// A person acknowledged it.
    case acknowledged
    /// A person resolved it while its condition may still hold (it fires again only after the condition clears).
    case resolvedByHand = "resolved-by-hand"
    /// It changed state too often within the flap window: marked flapping, notified once.
    case flapping
    /// It stayed in one state for a whole flap window: no longer flapping (its current state is notified).
    case flapEnded = "flap-ended"
    /// It was held beneath an ancestor's availability alert that has ended, and still holds: told on its own now.
    case released
}

/// One change of an alert's state (or of its flapping mark, then `from == to`), as the history and the resource's
/// timeline record it.
public struct AlertTransition: Sendable, Equatable, Codable {
    /// The state before.
    public var from: AlertState
    /// The state after.
    public var to: AlertState
    /// When, Unix ms.
    public var atMs: Int64
    /// Why.
    public var reason: TransitionReason
    /// Whether receivers are told (never for pending, not while flapping, once when flapping starts and ends).
    public var notify: Bool
    /// Who, for a person's action.
    public var actor: String?

    /// A transition.
    public init(from: AlertState, to: AlertState, atMs: Int64, reason: TransitionReason, notify: Bool, actor: String? = nil) {
        self.from = from
        self.to = to
        self.atMs = atMs
        self.reason = reason
        self.notify = notify
        self.actor = actor
    }
}

/// How an alert's lifecycle resists noise.
public struct LifecyclePolicy: Sendable, Equatable, Codable {
    /// The condition must hold this long before the alert fires (0: at once).
    public var forMs: Int64
    /// A firing alert stays firing at least this long; a recovery sooner resolves it when this has passed.
    public var minFiringMs: Int64
    /// The window in which state changes are counted for flapping.
    public var flapWindowMs: Int64
    /// This many firing/resolved changes within the window mark the alert flapping (0: never).
    public var flapThreshold: Int

    /// A policy; the defaults fire at once, resolve at once and mark 4 changes in 10 minutes as flapping.
    public init(forMs: Int64 = 0, minFiringMs: Int64 = 0, flapWindowMs: Int64 = 600_000, flapThreshold: Int = 4) {
        self.forMs = max(0, forMs)
        self.minFiringMs = max(0, minFiringMs)
        self.flapWindowMs = max(0, flapWindowMs)
        self.flapThreshold = max(0, flapThreshold)
    }
}

/// A person's action that the alert's state does not allow.
public struct LifecycleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state the alert is in.
    public var state: AlertState
    /// What was asked.
    public var action: String

    public var description: String { "cannot \(action) an alert that is \(state.rawValue)" }
}
