extension API {
    /// An alert definition as the API, the CLI and `DATA/alerts/*.yaml` take it (docs/alerting.md). Durations are
    /// text (`30s`, `5m`, `1h`). `id`, `origin` and `updatedMs` are the server's and ignored on input.
    public struct AlertDefinition: Codable, Sendable, Equatable {
        public var id: String?
        /// Unique within the tenant: `[A-Za-z0-9_.-]`, 1–128 characters.
        public var name: String
        public var description: String?
        public var scope: AlertScope
        public var condition: AlertCondition
        /// `info`, `warning` (default), `error` or `critical`.
        public var severity: String?
        /// How long the condition must hold before the alert fires (default 0).
        public var forDuration: String?
        /// How long a firing alert stays firing at least (default 0).
        public var minFiring: String?
        /// Firing/resolved changes within `flapWindow` (default 10m) that mark the alert flapping (default 4; 0: never).
        public var flapThreshold: Int?
        public var flapWindow: String?
        public var labels: [String: String]?
        /// Templates: `{{ .resource.name }}`, `{{ .value }}`, `{{ .labels.NAME }}`, `{{ .definition.name }}`, `{{ .severity }}`.
        public var annotations: [String: String]?
        /// Where notifications go.
        public var notify: [NotifyTarget]?
        /// `api` or the YAML file it came from.
        public var origin: String?
        public var updatedMs: Int64?
        /// Steps told while an alert stays firing and unacknowledged (`notify` is told at once, as step 0).
        public var escalation: [EscalationStep]?
        /// A control action run on the alert's resource when it fires (docs/control.md).
        public var action: AlertAction?

        enum CodingKeys: String, CodingKey {
            case id, name, description, scope, condition, severity
            case forDuration = "for"
            case minFiring, flapThreshold, flapWindow, labels, annotations, notify, origin, updatedMs
            case escalation, action
        }

        public init(id: String? = nil, name: String, description: String? = nil, scope: AlertScope, condition: AlertCondition,
                    severity: String? = nil, forDuration: String? = nil, minFiring: String? = nil, flapThreshold: Int? = nil,
                    flapWindow: String? = nil, labels: [String: String]? = nil, annotations: [String: String]? = nil,
                    notify: [NotifyTarget]? = nil, origin: String? = nil, updatedMs: Int64? = nil, escalation: [EscalationStep]? = nil,
                    action: AlertAction? = nil) {
            self.id = id
            self.name = name
            self.description = description
            self.scope = scope
            self.condition = condition
            self.severity = severity
            self.forDuration = forDuration
            self.minFiring = minFiring
            self.flapThreshold = flapThreshold
            self.flapWindow = flapWindow
            self.labels = labels
            self.annotations = annotations
            self.notify = notify
            self.origin = origin
            self.updatedMs = updatedMs
            self.escalation = escalation
            self.action = action
        }
    }

    /// A control action an alert runs on its resource when it fires: `name`, `parameters`, and at most once per
    /// resource within `minInterval` (default 10m).
    public struct AlertAction: Codable, Sendable, Equatable {
        public var name: String
        public var parameters: [String: String]?
        public var minInterval: String?

        public init(name: String, parameters: [String: String]? = nil, minInterval: String? = nil) {
            self.name = name
            self.parameters = parameters
            self.minInterval = minInterval
        }
    }

    /// What a definition applies to: exactly one field.
    public struct AlertScope: Codable, Sendable, Equatable {
        /// One resource id.
        public var resource: String?
        /// Every member of a group (group resource id).
        public var group: String?
        /// Every present and future resource of a kind.
        public var kind: String?
        /// Every present and future server of a type (`nginx`, `tomcat`, …).
        public var serverType: String?
        /// Remote-written series carrying these labels.
        public var series: [String: String]?

        public init(resource: String? = nil, group: String? = nil, kind: String? = nil, serverType: String? = nil, series: [String: String]? = nil) {
            self.resource = resource
            self.group = group
            self.kind = kind
            self.serverType = serverType
            self.series = series
        }
    }

    /// When a definition fires. `type` `threshold`: `metric`, `op`, `threshold` (+ `labels`, `input`, `window`, `clear`);
    /// `trend`: `metric`, `op`, `threshold`, `horizon` (+ `labels`, `window`);
    /// `availability`: `problem` (`down`, `agent-silent`, `unreachable`); `event`: `kinds`, `severity`, `words`, `path`,
    /// `resolveAfter`; `baseline`: `metric` (+ `labels`, `direction`, `deviations`, `season`, `minHistory`, `minSpread`,
    /// `utcOffset`); `composite`: `mode` and `conditions`, each with an optional `on` (the layer) and `hold`.
    public struct AlertCondition: Codable, Sendable, Equatable {
        public var type: String
        public var metric: String?
        public var labels: [String: String]?
        /// `value` (default), `rate`, or a window aggregate `avg`, `min`, `max`, `sum`, `count` over `window`.
        public var input: String?
        public var window: String?
        /// `>`, `>=`, `<`, `<=`, `==`, `!=`.
        public var op: String?
        public var threshold: Double?
        /// Hysteresis: the threshold that keeps an open alert open.
        public var clear: Double?
        public var problem: String?
        public var kinds: [String]?
        /// The least event severity that matches.
        public var severity: String?
        public var words: [String]?
        public var path: String?
        public var resolveAfter: String?
        /// For `trend`: how far ahead a projected crossing counts (`window` is the history fitted, default 6h).
        public var horizon: String?
        /// For `baseline`: `above`, `below` or `either` (default).
        public var direction: String?
        /// For `baseline`: how many spreads from the usual value are unusual (default 3).
        public var deviations: Double?
        /// For `baseline`: `weekly` (hour of the week, default) or `daily` (hour of the day).
        public var season: String?
        /// For `baseline`: history needed before it judges (default two seasons: 14d weekly, 2d daily).
        public var minHistory: String?
        /// For `baseline`: the least spread, in the metric's unit (default 1 % of the usual value).
        public var minSpread: Double?
        /// For `baseline`: hours and weekdays of this UTC offset, `+01:00` (default `UTC`).
        public var utcOffset: String?
        /// For `composite`: `all` (default) or `any`.
        public var mode: String?
        /// For `composite`: its parts, each a condition with an optional `on`.
        public var conditions: [AlertCondition]?
        /// For a composite's part: the layer it watches: `self` (default), `parent`, `host` or a kind (`platform`, `vm`, `hypervisor`, …).
        public var on: String?
        /// For a composite's event part: how long a matching event keeps it true (default 5m).
        public var hold: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case type, metric, labels, input, window, op, threshold, clear, problem, kinds, severity, words, path, resolveAfter, horizon
            case direction, deviations, season, minHistory, minSpread, utcOffset, mode, conditions, on, hold
        }

        /// The field names a condition may carry (anything else in a definition is refused).
        public static var fieldNames: Set<String> { Set(CodingKeys.allCases.map(\.rawValue)) }

        /// Every field, absent ones as null (numbers included), so each condition has the same shape.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(type, forKey: .type)
            try container.encode(metric, forKey: .metric)
            try container.encode(labels, forKey: .labels)
            try container.encode(input, forKey: .input)
            try container.encode(window, forKey: .window)
            try container.encode(op, forKey: .op)
            try container.encode(threshold, forKey: .threshold)
            try container.encode(clear, forKey: .clear)
            try container.encode(problem, forKey: .problem)
            try container.encode(kinds, forKey: .kinds)
            try container.encode(severity, forKey: .severity)
            try container.encode(words, forKey: .words)
            try container.encode(path, forKey: .path)
            try container.encode(resolveAfter, forKey: .resolveAfter)
            try container.encode(horizon, forKey: .horizon)
            try container.encode(direction, forKey: .direction)
            try container.encode(deviations, forKey: .deviations)
            try container.encode(season, forKey: .season)
            try container.encode(minHistory, forKey: .minHistory)
            try container.encode(minSpread, forKey: .minSpread)
            try container.encode(utcOffset, forKey: .utcOffset)
            try container.encode(mode, forKey: .mode)
            try container.encode(conditions, forKey: .conditions)
            try container.encode(on, forKey: .on)
            try container.encode(hold, forKey: .hold)
        }

        public init(type: String, metric: String? = nil, labels: [String: String]? = nil, input: String? = nil, window: String? = nil,
                    op: String? = nil, threshold: Double? = nil, clear: Double? = nil, problem: String? = nil, kinds: [String]? = nil,
                    severity: String? = nil, words: [String]? = nil, path: String? = nil, resolveAfter: String? = nil, horizon: String? = nil,
                    direction: String? = nil, deviations: Double? = nil, season: String? = nil, minHistory: String? = nil, minSpread: Double? = nil,
                    utcOffset: String? = nil, mode: String? = nil, conditions: [AlertCondition]? = nil, on: String? = nil, hold: String? = nil) {
            self.type = type
            self.metric = metric
            self.labels = labels
            self.input = input
            self.window = window
            self.op = op
            self.threshold = threshold
            self.clear = clear
            self.problem = problem
            self.kinds = kinds
            self.severity = severity
            self.words = words
            self.path = path
            self.resolveAfter = resolveAfter
            self.horizon = horizon
            self.direction = direction
            self.deviations = deviations
            self.season = season
            self.minHistory = minHistory
            self.minSpread = minSpread
            self.utcOffset = utcOffset
            self.mode = mode
            self.conditions = conditions
            self.on = on
            self.hold = hold
        }
    }

    /// A notification target: `type` `webhook` (`url`, `secret`), `slack` (`url`), `alertmanager` (`url`) or `email`
    /// (`host`, `port`, `tls`, `username`, `password`, `from`, `to`, `caFile`). Secrets are answered as `"***"`.
    public struct NotifyTarget: Codable, Sendable, Equatable {
        public var type: String
        public var url: String?
        public var secret: String?
        public var host: String?
        public var port: Int?
        /// `starttls` or `none`.
        public var tls: String?
        public var username: String?
        public var password: String?
        public var from: String?
        public var to: [String]?
        public var caFile: String?

        public init(type: String, url: String? = nil, secret: String? = nil, host: String? = nil, port: Int? = nil, tls: String? = nil,
                    username: String? = nil, password: String? = nil, from: String? = nil, to: [String]? = nil, caFile: String? = nil) {
            self.type = type
            self.url = url
            self.secret = secret
            self.host = host
            self.port = port
            self.tls = tls
            self.username = username
            self.password = password
            self.from = from
            self.to = to
            self.caFile = caFile
        }
    }

    /// An alert: one definition on one resource or series (`GET /api/v1/alerts`).
    public struct Alert: Codable, Sendable, Equatable {
        public var id: String
        public var definitionId: String
        public var definitionName: String
        /// The resource or series it is about.
        public var subject: String
        public var resourceId: String?
        /// `pending`, `firing`, `acknowledged`, `resolved` (or `inactive`).
        public var state: String
        public var severity: String
        public var flapping: Bool
        public var labels: [String: String]
        public var annotations: [String: String]
        public var value: Double?
        /// When the condition of the current or last episode started to hold.
        public var startsMs: Int64?
        public var updatedMs: Int64
        /// The resource whose open availability alert holds this one beneath it (not notified on its own).
        public var heldBy: String?

        public init(id: String, definitionId: String, definitionName: String, subject: String, resourceId: String?, state: String,
                    severity: String, flapping: Bool, labels: [String: String], annotations: [String: String], value: Double?,
                    startsMs: Int64?, updatedMs: Int64, heldBy: String?) {
            self.id = id
            self.definitionId = definitionId
            self.definitionName = definitionName
            self.subject = subject
            self.resourceId = resourceId
            self.state = state
            self.severity = severity
            self.flapping = flapping
            self.labels = labels
            self.annotations = annotations
            self.value = value
            self.startsMs = startsMs
            self.updatedMs = updatedMs
            self.heldBy = heldBy
        }
    }

    /// One change of an alert (`GET /api/v1/alerts/{id}/history`).
    public struct AlertChange: Codable, Sendable, Equatable {
        public var timeMs: Int64
        public var from: String
        public var to: String
        public var reason: String
        public var actor: String?
        public var notified: Bool
        /// Why nobody was told of a notifiable change (`silenced by …`, `held beneath …`).
        public var note: String?

        public init(timeMs: Int64, from: String, to: String, reason: String, actor: String?, notified: Bool, note: String?) {
            self.timeMs = timeMs
            self.from = from
            self.to = to
            self.reason = reason
            self.actor = actor
            self.notified = notified
            self.note = note
        }
    }

    /// A notification of an alert and how its delivery went (`GET /api/v1/alerts/{id}/notifications`).
    public struct AlertDelivery: Codable, Sendable, Equatable {
        public var id: String
        /// The target's type (`webhook`, `slack`, `alertmanager`, `email`).
        public var target: String
        /// `pending`, `delivered` or `failed`.
        public var status: String
        public var attempts: Int
        public var nextAttemptMs: Int64
        public var lastError: String?
        public var createdMs: Int64

        public init(id: String, target: String, status: String, attempts: Int, nextAttemptMs: Int64, lastError: String?, createdMs: Int64) {
            self.id = id
            self.target = target
            self.status = status
            self.attempts = attempts
            self.nextAttemptMs = nextAttemptMs
            self.lastError = lastError
            self.createdMs = createdMs
        }
    }

    /// A silence (`/api/v1/silences`): alerts it covers are recorded but not notified while it lasts; with a
    /// `recurrence`, only in its windows. `endsMs` may be left out (null) only by a recurring silence: it then recurs
    /// until deleted.
    public struct Silence: Codable, Sendable, Equatable {
        public var id: String?
        /// Label values an alert must carry (`alertname`, `severity`, `resource_id`, the definition's labels).
        public var matchers: [String: String]?
        /// Resources whose alerts, and their descendants', are covered (a maintenance window).
        public var resources: [String]?
        public var startsMs: Int64?
        public var endsMs: Int64?
        public var comment: String
        public var createdBy: String?
        public var recurrence: SilenceRecurrence?

        public init(id: String? = nil, matchers: [String: String]? = nil, resources: [String]? = nil, startsMs: Int64? = nil,
                    endsMs: Int64?, comment: String, createdBy: String? = nil, recurrence: SilenceRecurrence? = nil) {
            self.id = id
            self.matchers = matchers
            self.resources = resources
            self.startsMs = startsMs
            self.endsMs = endsMs
            self.comment = comment
            self.createdBy = createdBy
            self.recurrence = recurrence
        }
    }
}
