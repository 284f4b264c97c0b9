import StrataCore

extension API {
    /// `POST /api/v1/control/commands`: run an action on a resource.
    public struct ControlRequest: Codable, Sendable, Equatable {
        /// The resource id.
        public var resource: String
        public var action: String
        /// Parameters as text, checked against the action's declaration.
        public var parameters: [String: String]?
        /// Only say what would run; nothing is queued.
        public var dryRun: Bool?
        /// How long the command may wait for its agent before it expires (default 5m, at most 24h).
        public var deadline: String?

        public init(resource: String, action: String, parameters: [String: String]? = nil, dryRun: Bool? = nil, deadline: String? = nil) {
            self.resource = resource
            self.action = action
            self.parameters = parameters
            self.dryRun = dryRun
            self.deadline = deadline
        }
    }

    /// A command and how far it got (`GET /api/v1/control/commands[/{id}]`); for a dry run, what would be queued.
    public struct ControlCommand: Codable, Sendable, Equatable {
        public var id: String
        public var resourceId: String
        public var agentId: String
        public var action: String
        public var parameters: [String: String]
        /// `queued`, `delivered`, `accepted`, `running`, `succeeded`, `failed`, `refused`, `interrupted`, `expired`, or `dry-run`.
        public var state: String
        public var requestedBy: String
        public var createdMs: Int64
        public var deadlineMs: Int64
        public var updatedMs: Int64
        public var exitStatus: Int64?
        public var stdout: String?
        public var stderr: String?
        public var durationMs: Int64?
        public var message: String?

        enum CodingKeys: String, CodingKey {
            case id, resourceId, agentId, action, parameters, state, requestedBy, createdMs, deadlineMs, updatedMs, exitStatus, stdout, stderr
            case durationMs, message
        }

        public init(id: String, resourceId: String, agentId: String, action: String, parameters: [String: String], state: String, requestedBy: String,
                    createdMs: Int64, deadlineMs: Int64, updatedMs: Int64, exitStatus: Int64? = nil, stdout: String? = nil, stderr: String? = nil,
                    durationMs: Int64? = nil, message: String? = nil) {
            self.id = id
            self.resourceId = resourceId
            self.agentId = agentId
            self.action = action
            self.parameters = parameters
            self.state = state
            self.requestedBy = requestedBy
            self.createdMs = createdMs
            self.deadlineMs = deadlineMs
            self.updatedMs = updatedMs
            self.exitStatus = exitStatus
            self.stdout = stdout
            self.stderr = stderr
            self.durationMs = durationMs
            self.message = message
        }

        /// Every field, absent ones as null, so each command has the same shape.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(resourceId, forKey: .resourceId)
            try container.encode(agentId, forKey: .agentId)
            try container.encode(action, forKey: .action)
            try container.encode(parameters, forKey: .parameters)
            try container.encode(state, forKey: .state)
            try container.encode(requestedBy, forKey: .requestedBy)
            try container.encode(createdMs, forKey: .createdMs)
            try container.encode(deadlineMs, forKey: .deadlineMs)
            try container.encode(updatedMs, forKey: .updatedMs)
            try container.encode(exitStatus, forKey: .exitStatus)
            try container.encode(stdout, forKey: .stdout)
            try container.encode(stderr, forKey: .stderr)
            try container.encode(durationMs, forKey: .durationMs)
            try container.encode(message, forKey: .message)
        }
    }

    /// An action a resource offers (`GET /api/v1/resources/{id}/actions`).
    public struct ResourceAction: Codable, Sendable, Equatable {
        public var name: String
        public var summary: String
        public var parameters: [ActionParameter]

        public init(name: String, summary: String, parameters: [ActionParameter]) {
            self.name = name
            self.summary = summary
            self.parameters = parameters
        }
    }

    /// One declared parameter: `integer` (with `min`, `max`), `choice` (with `choices`), `name` or `text` (with `maxLength`),
    /// `size` (bytes, or with K, M, G, T; `min` and `max` in bytes).
    public struct ActionParameter: Codable, Sendable, Equatable {
        public var name: String
        public var type: String
        public var required: Bool
        public var summary: String
        public var min: Int64?
        public var max: Int64?
        public var choices: [String]?
        public var maxLength: Int?

        enum CodingKeys: String, CodingKey {
            case name, type, required, summary, min, max, choices, maxLength
        }

        public init(name: String, type: String, required: Bool, summary: String, min: Int64? = nil, max: Int64? = nil, choices: [String]? = nil,
                    maxLength: Int? = nil) {
            self.name = name
            self.type = type
            self.required = required
            self.summary = summary
            self.min = min
            self.max = max
            self.choices = choices
            self.maxLength = maxLength
        }

        /// Every field, absent ones as null.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(type, forKey: .type)
            try container.encode(required, forKey: .required)
            try container.encode(summary, forKey: .summary)
            try container.encode(min, forKey: .min)
            try container.encode(max, forKey: .max)
            try container.encode(choices, forKey: .choices)
            try container.encode(maxLength, forKey: .maxLength)
        }
    }
}
