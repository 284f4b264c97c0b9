/// A typed edge between two resources beyond parent → child.
public struct RelationKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The stored and served name, e.g. `depends-on`.
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// A guest platform runs in a VM (with the evidence of the match).
    public static let runsIn: RelationKind = "runs-in"
    /// A server uses another (a connection to its port).
    public static let dependsOn: RelationKind = "depends-on"
}
