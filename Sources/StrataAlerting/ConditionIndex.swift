/// Which definitions a sample or an event can concern, found by key instead of by scanning every definition: a
/// sample reaches only the threshold definitions on its metric in its tenant, an event only the event and
/// availability definitions of its tenant (by kind). Evaluation cost then grows with matches, not definitions.
public struct ConditionIndex: Sendable {
    struct Key: Hashable {
        var tenantID: String
        var name: String
    }

    private var byMetric: [Key: [AlertDefinition]] = [:]
    private var byEventKind: [Key: [AlertDefinition]] = [:]
    private var anyEvent: [String: [AlertDefinition]] = [:]
    private var availability: [String: [AlertDefinition]] = [:]
    /// Every definition, by id.
    public private(set) var definitions: [String: AlertDefinition] = [:]

    /// An index of `definitions`.
    public init(_ definitions: [AlertDefinition] = []) {
        for definition in definitions { add(definition) }
    }

    /// Adds (or replaces) a definition.
    public mutating func add(_ definition: AlertDefinition) {
        if definitions[definition.id] != nil { remove(id: definition.id) }
        definitions[definition.id] = definition
        var routes = Routes()
        routes.collect(definition.condition)
        for metric in routes.metrics { byMetric[Key(tenantID: definition.tenantID, name: metric), default: []].append(definition) }
        for kind in routes.eventKinds { byEventKind[Key(tenantID: definition.tenantID, name: kind), default: []].append(definition) }
        if routes.anyEvent { anyEvent[definition.tenantID, default: []].append(definition) }
        if routes.availability { availability[definition.tenantID, default: []].append(definition) }
    }

    /// What can change a condition (each part of a composite, each key once).
    private struct Routes {
        var metrics: Set<String> = []
        var eventKinds: Set<String> = []
        var anyEvent = false
        var availability = false

        mutating func collect(_ condition: AlertCondition) {
            switch condition {
            case .threshold, .trend, .baseline: metrics.formUnion(condition.metrics)
            case .event(let event):
                if event.kinds.isEmpty { anyEvent = true } else { eventKinds.formUnion(event.kinds) }
            case .availability: availability = true
            case .composite(let composite): for part in composite.parts { collect(part.condition) }
            case .rule: break
            }
        }
    }

    /// Removes a definition.
    public mutating func remove(id: String) {
        guard definitions.removeValue(forKey: id) != nil else { return }
        func drop<K>(_ table: inout [K: [AlertDefinition]]) {
            for key in Array(table.keys) {
                table[key]?.removeAll { $0.id == id }
                if table[key]?.isEmpty == true { table[key] = nil }
            }
        }
        drop(&byMetric)
        drop(&byEventKind)
        drop(&anyEvent)
        drop(&availability)
    }

    /// Threshold definitions on `metric` in `tenantID`.
    public func thresholds(metric: String, tenantID: String) -> [AlertDefinition] {
        byMetric[Key(tenantID: tenantID, name: metric)] ?? []
    }

    /// Whether any threshold definition watches `metric` in `tenantID`.
    public func watches(metric: String, tenantID: String) -> Bool {
        byMetric[Key(tenantID: tenantID, name: metric)] != nil
    }

    /// Whether `tenantID` has any threshold definition at all (so a tenant without one costs ingest nothing).
    public func hasThresholds(tenantID: String) -> Bool {
        byMetric.keys.contains { $0.tenantID == tenantID }
    }

    /// Event definitions an event of `kind` in `tenantID` can match.
    public func events(kind: String, tenantID: String) -> [AlertDefinition] {
        (byEventKind[Key(tenantID: tenantID, name: kind)] ?? []) + (anyEvent[tenantID] ?? [])
    }

    /// Availability definitions of `tenantID`.
    public func availabilityDefinitions(tenantID: String) -> [AlertDefinition] {
        availability[tenantID] ?? []
    }
}
