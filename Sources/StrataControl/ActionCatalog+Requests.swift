import StrataCore

/// A request's action and parameters checked before the resources it goes to are known (a group run's, a schedule's):
/// bounded, and against what the action declares, so a body with thousands of parameters is refused at once rather
/// than planned and refused for every resource.
extension ActionCatalog {
    /// Most parameters one request may give (no action declares more than a few).
    public static let maxParameters = 64
    /// Longest parameter value, in bytes (what the longest any action takes, `run-script`'s `args`, allows).
    public static let maxValueBytes = 4_096

    /// Checks `parameters` for `action` on resources of `kind` (a server's type as `serverType`) — or, with no kind
    /// known yet, on whichever kinds offer it: at most `maxParameters`, each value at most `maxValueBytes`, each name
    /// one the action declares (on some kind), and with a kind every value valid and every required one given.
    public static func check(_ action: String, parameters: [String: String], kind: ResourceKind?, serverType: String? = nil) throws(ControlError) {
        guard parameters.count <= maxParameters else { throw ControlError.tooManyParameters(parameters.count, max: maxParameters) }
        for (name, value) in parameters.sorted(by: { $0.key < $1.key }) where value.utf8.count > maxValueBytes {
            throw ControlError.badParameter(ParameterSpec.shown(name), "must be at most \(maxValueBytes) bytes, not \(value.utf8.count)")
        }
        if let kind {
            _ = try self.action(action, kind: kind, serverType: serverType).check(parameters)
            return
        }
        let offered = ResourceKind.allCases.compactMap { try? self.action(action, kind: $0) }
        guard !offered.isEmpty else { throw ControlError.offeredNowhere(action) }
        let declared = Set(offered.flatMap { $0.parameters.map(\.name) })
        for name in parameters.keys.sorted() where !declared.contains(name) {
            throw ControlError.unknownParameter(name, allowed: declared.sorted())
        }
    }
}
