import StrataAlerting
import StrataAPI
import StrataControl
import StrataCore

/// A definition's control action, checked as far as its scope allows: against the kind's declared actions when the
/// scope names a kind or server type, by name otherwise (the parameters are checked again when it runs).
extension DefinitionCompiler {
    static func action(_ body: API.AlertAction?, scope: AlertScope) throws(DefinitionError) -> TriggeredAction? {
        guard let body else { return nil }
        var kinds: [ResourceKind]
        switch scope {
        case .series: throw DefinitionError(field: "action", message: "an action runs on a resource: scope the definition to a resource, group, kind or serverType")
        case .kind(let kind): kinds = [kind]
        case .serverType: kinds = [.server]
        case .resource, .group: kinds = ResourceKind.allCases
        }
        kinds = kinds.filter { kind in ActionCatalog.actions(kind: kind).contains { $0.name == body.name } }
        guard !kinds.isEmpty else {
            let available = Set(ResourceKind.allCases.flatMap { ActionCatalog.actions(kind: $0).map(\.name) }).sorted()
            throw DefinitionError(field: "action.name", message: "no action \"\(body.name)\" for this scope; actions: \(available.joined(separator: ", "))")
        }
        // The parameters must suit at least one kind that offers the action (exactly the scope's kind when it has one).
        var refusal: ControlError?
        for candidate in kinds {
            do {
                _ = try ActionCatalog.action(body.name, kind: candidate).check(body.parameters ?? [:])
                refusal = nil
                break
            } catch {
                refusal = error
            }
        }
        if let refusal { throw DefinitionError(field: "action.parameters", message: refusal.description) }
        let interval = try duration(body.minInterval, field: "action.minInterval") ?? 600_000
        return TriggeredAction(name: body.name, parameters: body.parameters ?? [:], minIntervalMs: interval)
    }
}
