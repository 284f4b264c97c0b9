/// One observation: Unix time in milliseconds and a value.
public struct TimePoint: Sendable, Hashable, Codable {
    /// Unix time in ms.
    public var t: Int64
    /// The value.
    public var v: Double

    /// Creates an observation.
    public init(_ t: Int64, _ v: Double) {
        self.t = t
        self.v = v
    }

    /// Milliseconds from `origin` to `t`, in floating point: user-supplied times may lie at both ends of Int64,
    /// where an integer difference would trap.
    public static func span(from origin: Int64, to t: Int64) -> Double { Double(t) - Double(origin) }
}

/// Why an analysis gave no answer: what it needed and what it got, in words a user can act on.
public struct InsufficientData: Error, Sendable, Hashable, CustomStringConvertible {
    /// The explanation.
    public var description: String

    /// Creates the explanation.
    public init(_ description: String) { self.description = description }
}
