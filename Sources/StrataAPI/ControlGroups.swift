extension API {
    /// Which resources a group action or a schedule acts on: one `resource`; a `group`'s members (with `kind`, the
    /// resources of that kind at or below each member); or a selector — every resource of `kind`, narrowed by
    /// `serverType`, a `name` substring and `under` (an ancestor's id).
    public struct ControlTarget: Codable, Sendable, Equatable {
        public var resource: String?
        public var group: String?
        public var kind: String?
        public var serverType: String?
        public var name: String?
        public var under: String?

        /// Its JSON fields, listed so strict readers can refuse others (`StrictJSON.fields(of:)`).
        public enum CodingKeys: String, CodingKey, CaseIterable {
            case resource, group, kind, serverType, name, under
        }

        public init(resource: String? = nil, group: String? = nil, kind: String? = nil, serverType: String? = nil, name: String? = nil,
                    under: String? = nil) {
            self.resource = resource
            self.group = group
            self.kind = kind
            self.serverType = serverType
            self.name = name
            self.under = under
        }
    }

    /// `POST /api/v1/control/group-runs`: one action across a target's resources.
    public struct GroupRunRequest: Codable, Sendable, Equatable {
        public var target: ControlTarget
        public var action: String
        public var parameters: [String: String]?
        /// Most commands in flight at once (default 10, 1…1000).
        public var concurrency: Int?
        /// Stop starting commands after the first failure (the rest are `skipped`).
        public var stopOnFailure: Bool?
        /// Each command's deadline (default 5m, at most 24h).
        public var deadline: String?
        /// Only list the resources it would act on and what would run; nothing is queued.
        public var dryRun: Bool?

        public init(target: ControlTarget, action: String, parameters: [String: String]? = nil, concurrency: Int? = nil, stopOnFailure: Bool? = nil,
                    deadline: String? = nil, dryRun: Bool? = nil) {
            self.target = target
            self.action = action
            self.parameters = parameters
            self.concurrency = concurrency
            self.stopOnFailure = stopOnFailure
            self.deadline = deadline
            self.dryRun = dryRun
        }
    }

    /// One resource of a group run.
    public struct GroupRunItem: Codable, Sendable, Equatable {
        public var resourceId: String
        public var resourceName: String
        /// `pending`, `running`, `succeeded`, `failed`, `refused`, `expired`, `interrupted`, `canceled` or `skipped`.
        public var state: String
        public var commandId: String?
        public var message: String?

        public init(resourceId: String, resourceName: String, state: String, commandId: String? = nil, message: String? = nil) {
            self.resourceId = resourceId
            self.resourceName = resourceName
            self.state = state
            self.commandId = commandId
            self.message = message
        }
    }

    /// A group run and its summary (`GET /api/v1/control/group-runs[/{id}]`).
    public struct GroupRun: Codable, Sendable, Equatable {
        public var id: String
        public var target: ControlTarget
        public var action: String
        public var parameters: [String: String]
        public var concurrency: Int
        public var stopOnFailure: Bool
        /// Who asked: a user, or `schedule:NAME`.
        public var requestedBy: String
        public var createdMs: Int64
        public var updatedMs: Int64
        /// `running`, `finished`, `stopped` (a failure stopped it) or `interrupted` (the server stopped meanwhile; its
        /// queued commands still run).
        public var state: String
        /// How many resources are in each item state.
        public var summary: [String: Int]
        public var items: [GroupRunItem]

        public init(id: String, target: ControlTarget, action: String, parameters: [String: String], concurrency: Int, stopOnFailure: Bool,
                    requestedBy: String, createdMs: Int64, updatedMs: Int64, state: String, summary: [String: Int], items: [GroupRunItem]) {
            self.id = id
            self.target = target
            self.action = action
            self.parameters = parameters
            self.concurrency = concurrency
            self.stopOnFailure = stopOnFailure
            self.requestedBy = requestedBy
            self.createdMs = createdMs
            self.updatedMs = updatedMs
            self.state = state
            self.summary = summary
            self.items = items
        }
    }

    /// A group run without its items, as the list shows it (`GET /api/v1/control/group-runs`): a run may have 10,000
    /// items, so they come only with the run itself.
    public struct GroupRunSummary: Codable, Sendable, Equatable {
        public var id: String
        public var target: ControlTarget
        public var action: String
        public var parameters: [String: String]
        public var concurrency: Int
        public var stopOnFailure: Bool
        public var requestedBy: String
        public var createdMs: Int64
        public var updatedMs: Int64
        /// As `GroupRun.state`.
        public var state: String
        /// `total` and how many items are in each state.
        public var summary: [String: Int]

        /// The summary of a run.
        public init(_ run: GroupRun) {
            id = run.id
            target = run.target
            action = run.action
            parameters = run.parameters
            concurrency = run.concurrency
            stopOnFailure = run.stopOnFailure
            requestedBy = run.requestedBy
            createdMs = run.createdMs
            updatedMs = run.updatedMs
            state = run.state
            summary = run.summary
        }
    }

    /// `POST /api/v1/control/schedules` (and `PUT …/{id}`): run an action on a cron schedule.
    public struct ScheduleRequest: Codable, Sendable, Equatable {
        /// Unique in the tenant.
        public var name: String
        /// Five cron fields or a macro such as `@daily`.
        public var cron: String
        /// A tz database name such as `Europe/Berlin` (default UTC).
        public var timezone: String?
        public var target: ControlTarget
        public var action: String
        public var parameters: [String: String]?
        public var concurrency: Int?
        public var stopOnFailure: Bool?
        public var deadline: String?
        /// Default true.
        public var enabled: Bool?

        public init(name: String, cron: String, timezone: String? = nil, target: ControlTarget, action: String, parameters: [String: String]? = nil,
                    concurrency: Int? = nil, stopOnFailure: Bool? = nil, deadline: String? = nil, enabled: Bool? = nil) {
            self.name = name
            self.cron = cron
            self.timezone = timezone
            self.target = target
            self.action = action
            self.parameters = parameters
            self.concurrency = concurrency
            self.stopOnFailure = stopOnFailure
            self.deadline = deadline
            self.enabled = enabled
        }
    }

    /// A schedule with its next runs (`GET /api/v1/control/schedules[/{id}]`).
    public struct Schedule: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var cron: String
        public var timezone: String
        public var target: ControlTarget
        public var action: String
        public var parameters: [String: String]
        public var concurrency: Int
        public var stopOnFailure: Bool
        public var deadline: String?
        public var enabled: Bool
        public var createdBy: String
        public var createdMs: Int64
        /// The next runs, Unix ms (up to 5; none when disabled).
        public var nextRuns: [Int64]
        public var lastRunMs: Int64?
        /// The group run the last firing started.
        public var lastRunId: String?
        /// Why the last firing started no run (its creator may no longer control, its target is gone…); nil when it
        /// started one.
        public var lastError: String?

        public init(id: String, request: ScheduleRequest, createdBy: String, createdMs: Int64) {
            self.id = id
            name = request.name
            cron = request.cron
            timezone = request.timezone ?? "UTC"
            target = request.target
            action = request.action
            parameters = request.parameters ?? [:]
            concurrency = request.concurrency ?? 10
            stopOnFailure = request.stopOnFailure ?? false
            deadline = request.deadline
            enabled = request.enabled ?? true
            self.createdBy = createdBy
            self.createdMs = createdMs
            nextRuns = []
        }
    }
}
