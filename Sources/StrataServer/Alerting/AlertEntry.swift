import Foundation
import StrataAlerting
import StrataCatalog
import StrataCore
import StrataInventory

/// The evaluator's view of one alert (a definition on one subject): its lifecycle and what it tells.
struct AlertEntry: Sendable {
    struct Key: Hashable, Sendable {
        var definitionID: String
        /// A resource id, or a series id for thresholds.
        var subject: String
    }

    var id: String
    var tenantID: String
    var definitionID: String
    var subject: String
    var resourceID: String?
    var lifecycle = AlertLifecycle()
    var labels: [String: String] = [:]
    var annotations: [String: String] = [:]
    var heldBy: String?
    /// The last matching event, for event alerts that resolve after a quiet spell.
    var lastMatchMs: Int64?
    /// A rule alert's last evaluation that returned its series (for `keep_firing_for`; not stored).
    var lastActiveMs: Int64?
    /// A trend alert's projected crossing, Unix ms.
    var projectedCrossingMs: Int64?
    /// A baseline alert's usual value at this hour, and how many spreads the last sample lay from it.
    var expected: Double?
    var score: Double?

    init(definitionID: String, tenantID: String, subject: String, resourceID: String?) {
        id = StableID(parts: ["alert", definitionID, subject]).description
        self.tenantID = tenantID
        self.definitionID = definitionID
        self.subject = subject
        self.resourceID = resourceID
    }

    var key: Key { Key(definitionID: definitionID, subject: subject) }

    /// Whether a clock tick can change it (time-based rules are pending).
    var needsTicks: Bool {
        lifecycle.state == .pending || lifecycle.state.isOpen || lifecycle.flapping || lastMatchMs != nil
    }

    /// The stored form.
    func record(definition: AlertDefinition, nowMs: Int64) -> AlertRecord {
        AlertRecord(id: id, tenantID: tenantID, definitionID: definitionID, definitionName: definition.name, subject: subject,
                    resourceID: resourceID, state: lifecycle.state.rawValue, severity: definition.severity, flapping: lifecycle.flapping,
                    labelsJSON: Self.json(labels), annotationsJSON: Self.json(annotations), value: lifecycle.lastValue,
                    startsMs: lifecycle.startsAtMs, updatedMs: nowMs, heldBy: heldBy,
                    lifecycleJSON: (try? String(decoding: JSONEncoder().encode(lifecycle), as: UTF8.self)) ?? "{}")
    }

    /// Resumes from the stored form (nil when its lifecycle cannot be read: it starts afresh).
    init?(record: AlertRecord) {
        guard let lifecycle = try? JSONDecoder().decode(AlertLifecycle.self, from: Data(record.lifecycleJSON.utf8)) else { return nil }
        self.init(definitionID: record.definitionID, tenantID: record.tenantID, subject: record.subject, resourceID: record.resourceID)
        self.lifecycle = lifecycle
        labels = Self.object(record.labelsJSON)
        annotations = Self.object(record.annotationsJSON)
        heldBy = record.heldBy
    }

    /// A string map as the catalog stores labels (`LabelsJSON`: a JSON object, keys sorted).
    static func json(_ object: [String: String]) -> String {
        LabelsJSON.encode(Labels(object.map { Label($0.key, $0.value) }))
    }

    static func object(_ text: String) -> [String: String] {
        Dictionary(LabelsJSON.decode(text).pairs.map { ($0.name, $0.value) }) { _, last in last }
    }
}

/// What the evaluator knows of a resource, refreshed at most every `AlertEvaluator.factsTTLMs`.
struct ResourceFacts: Sendable {
    var tenantID: String
    var scoped: ScopedResource
    var name: String
    var availability: Availability
    /// Ancestors, nearest first.
    var ancestors: [String]
    var fetchedMs: Int64
}

/// What the evaluator knows of a series: its metric, resource and labels.
struct SeriesFacts: Sendable {
    var metric: String
    var resourceID: String?
    var labels: [String: String]
}

