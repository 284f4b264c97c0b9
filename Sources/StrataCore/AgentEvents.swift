/// How severe an event is, least to most: the order `minimum level` filters use.
public enum EventSeverity: UInt8, Sendable, Comparable, CaseIterable, TextCodable, CustomStringConvertible {
    case info = 0
    case warning = 1
    case error = 2
    case critical = 3

    /// The name the event store uses: `info`, `warning`, `error`, `critical`.
    public var name: String {
        switch self {
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// The severity called `name` (as `name` spells it, or a common log-level word: `warn`, `err`, `fatal`…).
    public init?(name: String) {
        switch name.lowercased() {
        case "info", "information", "notice", "note", "debug", "trace", "log": self = .info
        case "warning", "warn": self = .warning
        case "error", "err", "severe": self = .error
        case "critical", "crit", "fatal", "alert", "emerg", "emergency", "panic": self = .critical
        default: return nil
        }
    }

    public static func < (lhs: EventSeverity, rhs: EventSeverity) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { name }
    /// The severity whose `name` is exactly `text` (no aliases: what the store and the API spell).
    public init?(text: String) {
        guard let severity = Self.allCases.first(where: { $0.name == text }) else { return nil }
        self = severity
    }
    public var text: String { name }
    public static var textExpectation: String { "info, warning, error or critical" }
    // An enum's synthesized coding (by case) would win over `TextCodable`'s.
    public init(from decoder: any Decoder) throws { self = try Self.decodeText(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(to: encoder) }
}

/// An event an agent observed (a log record, a count of records a rate limit dropped), protocol v2.
public struct AgentEvent: Sendable, Equatable {
    /// Index into the batch's `resources` of the resource that owns the source (a server, else the platform).
    public var resourceIndex: Int
    /// Kind: `log` for a log record, `log-dropped` for what a rate limit dropped.
    public var kind: String
    /// When it happened (the record's own time when it has one), Unix ms.
    public var timeMs: Int64
    /// How severe.
    public var severity: EventSeverity
    /// Where it came from, e.g. the log file's path.
    public var source: String
    /// Unique per source position (`device:inode:offset` for a log record): the server stores an event with
    /// an origin it already has only once, so a batch resent after a crash duplicates nothing.
    public var origin: String
    /// The text (a multi-line record keeps its lines).
    public var message: String

    /// Creates an event.
    public init(resourceIndex: Int, kind: String, timeMs: Int64, severity: EventSeverity, source: String,
                origin: String, message: String) {
        self.resourceIndex = resourceIndex
        self.kind = kind
        self.timeMs = timeMs
        self.severity = severity
        self.source = source
        self.origin = origin
        self.message = message
    }
}

/// The content of one configuration file as an agent saw it after a change, protocol v2; secrets are
/// already redacted.
public struct ConfigSnapshot: Sendable, Equatable {
    /// What the agent found at the path.
    public enum State: UInt8, Sendable {
        /// The file exists; `content` is its (redacted) text.
        case present = 0
        /// The file is gone.
        case deleted = 1
        /// The file cannot be tracked (binary, too large, unreadable); `content` says why.
        case untracked = 2

        /// `present`, `deleted` or `untracked`, as the server stores it.
        public var name: String {
            switch self {
            case .present: "present"
            case .deleted: "deleted"
            case .untracked: "untracked"
            }
        }
    }

    /// Index into the batch's `resources` of the resource the file configures.
    public var resourceIndex: Int
    /// The file's path on the host.
    public var path: String
    /// What the agent found.
    public var state: State
    /// When the agent read it, Unix ms.
    public var observedMs: Int64
    /// The redacted text (present), or why it is not tracked (untracked); empty when deleted.
    public var content: String

    /// Creates a snapshot.
    public init(resourceIndex: Int, path: String, state: State, observedMs: Int64, content: String) {
        self.resourceIndex = resourceIndex
        self.path = path
        self.state = state
        self.observedMs = observedMs
        self.content = content
    }

    /// Largest content carried, in bytes.
    public static let maxContentBytes = 1 << 20
}
