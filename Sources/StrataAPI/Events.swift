import StrataCore
import StrataInventory

extension API {
    /// An event of the timeline (`GET /api/v1/events`, and each `data:` of the event stream).
    public struct Event: Codable, Sendable, Equatable {
        public var id: Int64
        public var resourceId: String?
        public var timeMs: Int64
        public var kind: EventKind
        public var severity: EventSeverity
        public var message: String
        /// The file it came from (a log file, a configuration file), if any.
        public var source: String?

        public init(id: Int64, resourceId: String?, timeMs: Int64, kind: EventKind, severity: EventSeverity, message: String, source: String?) {
            self.id = id
            self.resourceId = resourceId
            self.timeMs = timeMs
            self.kind = kind
            self.severity = severity
            self.message = message
            self.source = source
        }
    }

    /// One version of a tracked configuration file (`GET /api/v1/resources/{id}/configs…`); `content` only
    /// when asked for.
    public struct ConfigVersion: Codable, Sendable, Equatable {
        public var resourceId: String
        public var path: String
        public var version: Int64
        /// `present`, `deleted` or `untracked`.
        public var state: String
        public var observedMs: Int64
        public var added: Int
        public var removed: Int
        public var hash: String
        public var content: String?

        public init(resourceId: String, path: String, version: Int64, state: String, observedMs: Int64, added: Int, removed: Int,
                    hash: String, content: String?) {
            self.resourceId = resourceId
            self.path = path
            self.version = version
            self.state = state
            self.observedMs = observedMs
            self.added = added
            self.removed = removed
            self.hash = hash
            self.content = content
        }
    }

    /// The unified diff between two versions of a file.
    public struct ConfigDiff: Codable, Sendable, Equatable {
        public var path: String
        public var from: Int64
        public var to: Int64
        public var diff: String

        public init(path: String, from: Int64, to: Int64, diff: String) {
            self.path = path
            self.from = from
            self.to = to
            self.diff = diff
        }
    }

    /// An entry of the discovery queue (`GET /api/v1/discoveries`).
    public struct Discovery: Codable, Sendable, Equatable {
        public var id: Int64
        public var resourceId: String
        public var resourceName: String?
        public var resourceKind: ResourceKind?
        public var change: DiscoveryChange
        public var summary: String
        public var status: DiscoveryStatus
        public var createdMs: Int64
        public var decidedMs: Int64?
        public var decidedBy: String?
        /// For an enrollment request: the agent asking.
        public var agentId: String?

        public init(id: Int64, resourceId: String, resourceName: String?, resourceKind: ResourceKind?, change: DiscoveryChange, summary: String,
                    status: DiscoveryStatus, createdMs: Int64, decidedMs: Int64?, decidedBy: String?, agentId: String?) {
            self.id = id
            self.resourceId = resourceId
            self.resourceName = resourceName
            self.resourceKind = resourceKind
            self.change = change
            self.summary = summary
            self.status = status
            self.createdMs = createdMs
            self.decidedMs = decidedMs
            self.decidedBy = decidedBy
            self.agentId = agentId
        }
    }

    /// `POST /api/v1/discoveries/{id}`: `approve`, `ignore` or `defer`.
    public struct DiscoveryDecision: Codable, Sendable, Equatable {
        public var decision: String
        public init(decision: String) { self.decision = decision }
    }

    /// `PUT /api/v1/discovery-policy`.
    public struct DiscoveryPolicyRequest: Codable, Sendable, Equatable {
        public var mode: DiscoveryPolicy.Mode
        public var expected: [DiscoveryPolicy.ExpectedRule]?

        public init(mode: DiscoveryPolicy.Mode, expected: [DiscoveryPolicy.ExpectedRule]?) {
            self.mode = mode
            self.expected = expected
        }
    }
}
