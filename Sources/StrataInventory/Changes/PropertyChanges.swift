import StrataCore

/// The configuration changes between two reports of a resource's properties.
public enum PropertyChanges {
    /// Properties whose changes are not events: they move with the host's activity, not its configuration.
    public static let volatile: Set<String> = ["connections", "state", "state_reason", "vm_count", "definition"]

    /// The top-level properties that differ between `old` and `new`, by name: `name old → new` for scalars
    /// (`(none)` for a missing side), the bare name for lists and maps; volatile properties are left out.
    public static func between(_ old: PropertyValue, _ new: PropertyValue) -> [String] {
        let before = entries(old)
        let after = entries(new)
        var changes: [String] = []
        for key in Set(before.keys).union(after.keys).sorted() where !volatile.contains(key) {
            let was = before[key]
            let now = after[key]
            guard was != now else { continue }
            if isContainer(was) || isContainer(now) {
                changes.append(key)
            } else {
                changes.append("\(key) \(was.map(text) ?? "(none)") → \(now.map(text) ?? "(none)")")
            }
        }
        return changes
    }

    /// The message of a `changed` event, or nil when nothing but volatile properties changed.
    public static func event(resourceID: String, kind: ResourceKind, name: String, changes: [String]) -> InventoryEvent? {
        guard !changes.isEmpty else { return nil }
        return InventoryEvent(resourceID: resourceID, kind: .changed,
                              message: "\(kind.rawValue) \(name) changed: \(changes.joined(separator: "; "))")
    }

    static func entries(_ value: PropertyValue) -> [String: PropertyValue] {
        guard case .map(let entries) = value else { return [:] }
        return Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    static func isContainer(_ value: PropertyValue?) -> Bool {
        switch value {
        case .list?, .map?: return true
        default: return false
        }
    }

    /// A scalar as a person reads it: strings without quotes.
    static func text(_ value: PropertyValue) -> String {
        if case .string(let string) = value { return string }
        return value.json
    }
}
