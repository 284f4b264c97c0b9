import StrataCore
import StrataInventory

/// A stored alert definition: its API body as JSON (the server decodes and validates it), where it came from.
public struct AlertDefinitionRecord: Sendable, Equatable {
    public var tenantID: String
    public var id: String
    public var name: String
    /// The definition as the API takes it, JSON.
    public var bodyJSON: String
    /// `api`, or the YAML file it was loaded from.
    public var origin: String
    public var updatedMs: Int64

    /// A record.
    public init(tenantID: String, id: String, name: String, bodyJSON: String, origin: String, updatedMs: Int64) {
        self.tenantID = tenantID
        self.id = id
        self.name = name
        self.bodyJSON = bodyJSON
        self.origin = origin
        self.updatedMs = updatedMs
    }
}

/// One alert: a definition on one subject (a resource, or a series for thresholds), with its lifecycle.
public struct AlertRecord: Sendable, Equatable {
    public var id: String
    public var tenantID: String
    public var definitionID: String
    public var definitionName: String
    /// The resource or series id the alert is about.
    public var subject: String
    public var resourceID: String?
    /// `inactive`, `pending`, `firing`, `acknowledged` or `resolved`.
    public var state: String
    public var severity: EventSeverity
    public var flapping: Bool
    /// Labels and rendered annotations, JSON objects.
    public var labelsJSON: String
    public var annotationsJSON: String
    public var value: Double?
    public var startsMs: Int64?
    public var updatedMs: Int64
    /// The resource whose open availability alert holds this one beneath it, if any.
    public var heldBy: String?
    /// The lifecycle state machine, JSON (opaque to the store).
    public var lifecycleJSON: String

    /// A record.
    public init(id: String, tenantID: String, definitionID: String, definitionName: String, subject: String, resourceID: String?,
                state: String, severity: EventSeverity, flapping: Bool, labelsJSON: String, annotationsJSON: String, value: Double?,
                startsMs: Int64?, updatedMs: Int64, heldBy: String?, lifecycleJSON: String) {
        self.id = id
        self.tenantID = tenantID
        self.definitionID = definitionID
        self.definitionName = definitionName
        self.subject = subject
        self.resourceID = resourceID
        self.state = state
        self.severity = severity
        self.flapping = flapping
        self.labelsJSON = labelsJSON
        self.annotationsJSON = annotationsJSON
        self.value = value
        self.startsMs = startsMs
        self.updatedMs = updatedMs
        self.heldBy = heldBy
        self.lifecycleJSON = lifecycleJSON
    }
}

/// One recorded change of an alert.
public struct AlertHistoryRecord: Sendable, Equatable {
    public var alertID: String
    public var atMs: Int64
    public var from: String
    public var to: String
    public var reason: String
    public var actor: String?
    /// Whether receivers were (to be) told; false for pending, flapping, silenced or held alerts.
    public var notified: Bool
    /// Why nobody was told, when `notified` is false for a notifiable change: `silenced by ID`, `held beneath ID`.
    public var note: String?

    /// A record.
    public init(alertID: String, atMs: Int64, from: String, to: String, reason: String, actor: String? = nil, notified: Bool, note: String? = nil) {
        self.alertID = alertID
        self.atMs = atMs
        self.from = from
        self.to = to
        self.reason = reason
        self.actor = actor
        self.notified = notified
        self.note = note
    }
}

/// A notification to deliver (the outbox): written in the same transaction as the change it tells of, so a crash
/// can neither lose it nor send it for a change that was not stored.
public struct NotificationRecord: Sendable, Equatable {
    /// The delivery id receivers dedupe on.
    public var id: String
    public var tenantID: String
    public var alertID: String
    /// Where to, JSON (the server decodes it).
    public var targetJSON: String
    /// What, JSON.
    public var payloadJSON: String
    /// `pending`, `delivered` or `failed`.
    public var status: String
    public var attempts: Int
    public var nextAttemptMs: Int64
    public var lastError: String?
    public var createdMs: Int64

    /// A pending notification.
    public init(id: String, tenantID: String, alertID: String, targetJSON: String, payloadJSON: String, createdMs: Int64) {
        self.id = id
        self.tenantID = tenantID
        self.alertID = alertID
        self.targetJSON = targetJSON
        self.payloadJSON = payloadJSON
        status = "pending"
        attempts = 0
        nextAttemptMs = createdMs
        lastError = nil
        self.createdMs = createdMs
    }
}

/// What one evaluation step changed for one alert, stored in one transaction with every other change of the step.
public struct AlertChange: Sendable {
    public var alert: AlertRecord
    public var history: [AlertHistoryRecord]
    public var notifications: [NotificationRecord]
    /// Timeline events on the alert's resource.
    public var events: [InventoryEvent]

    /// A change.
    public init(alert: AlertRecord, history: [AlertHistoryRecord], notifications: [NotificationRecord], events: [InventoryEvent]) {
        self.alert = alert
        self.history = history
        self.notifications = notifications
        self.events = events
    }
}

/// Filters for listing alerts.
public struct AlertQuery: Sendable {
    /// Only these states (empty: every state but `inactive`).
    public var states: [String] = []
    public var minimumSeverity: EventSeverity?
    public var resourceID: String?
    public var definitionID: String?
    public var limit = 500

    /// No filter.
    public init() {}
}

/// Alert definitions, alerts with their history, the notification outbox and silences.
public protocol AlertStore: Sendable {
    /// Definitions of one tenant, or of every tenant when nil.
    func alertDefinitions(tenantID: String?) async throws -> [AlertDefinitionRecord]
    /// Creates or replaces a definition (by id).
    func saveAlertDefinition(_ record: AlertDefinitionRecord) async throws
    /// Deletes a definition and its alerts; false when there was none.
    func deleteAlertDefinition(tenantID: String, id: String) async throws -> Bool
    /// Every stored alert, for the evaluator to resume from after a restart.
    func allAlerts() async throws -> [AlertRecord]
    /// A tenant's alerts, newest change first.
    func alerts(tenantID: String, query: AlertQuery) async throws -> [AlertRecord]
    /// One alert.
    func alert(tenantID: String, id: String) async throws -> AlertRecord?
    /// An alert's recorded changes, oldest first.
    func alertHistory(tenantID: String, id: String) async throws -> [AlertHistoryRecord]
    /// Stores every change of an evaluation step in one transaction (alerts, history, outbox rows, timeline
    /// events) and returns the stored events.
    func apply(_ changes: [AlertChange], nowMs: Int64) async throws -> [EventRecord]
    /// Pending notifications due at `nowMs`, oldest first.
    func dueNotifications(nowMs: Int64, limit: Int) async throws -> [NotificationRecord]
    /// A tenant's notifications of one alert, oldest first.
    func notifications(tenantID: String, alertID: String) async throws -> [NotificationRecord]
    /// Records a delivery attempt: delivered, retried at `nextAttemptMs`, or failed for good when that is nil.
    func recordAttempt(id: String, delivered: Bool, error: String?, nextAttemptMs: Int64?, nowMs: Int64) async throws
    /// A tenant's silences (JSON bodies), or every tenant's when nil.
    func silences(tenantID: String?) async throws -> [(tenantID: String, id: String, bodyJSON: String)]
    /// Stores a silence.
    func saveSilence(tenantID: String, id: String, bodyJSON: String, endsMs: Int64) async throws
    /// Deletes a silence; false when there was none.
    func deleteSilence(tenantID: String, id: String) async throws -> Bool
}
