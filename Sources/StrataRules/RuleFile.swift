/// A Prometheus rule file as Prometheus 2.42 reads it (`rulefmt`): groups of recording and alerting rules.
///
/// Values are as written; durations are milliseconds; each group and rule keeps the 1-based line it starts on,
/// so later errors (evaluation, templates) can point at it.
public struct RuleFile: Sendable, Equatable {
    /// The file's path, as read.
    public var path: String
    /// Its groups, in file order.
    public var groups: [RuleGroup]

    /// A file.
    public init(path: String, groups: [RuleGroup]) {
        self.path = path
        self.groups = groups
    }

    /// How many rules its groups hold.
    public var ruleCount: Int { groups.reduce(0) { $0 + $1.rules.count } }
}

/// A group: rules evaluated in order, at one timestamp, every `intervalMs`.
public struct RuleGroup: Sendable, Equatable {
    /// Unique within the file.
    public var name: String
    /// The group's own interval (nil or 0: the server's evaluation interval).
    public var intervalMs: Int64?
    /// At most this many series a rule may produce (0: no limit); more fail the rule's evaluation.
    public var limit: Int
    /// Its rules, in evaluation order.
    public var rules: [Rule]
    /// Where it starts.
    public var line: Int

    /// A group.
    public init(name: String, intervalMs: Int64? = nil, limit: Int = 0, rules: [Rule], line: Int = 0) {
        self.name = name
        self.intervalMs = intervalMs
        self.limit = limit
        self.rules = rules
        self.line = line
    }
}

/// A recording or alerting rule.
public struct Rule: Sendable, Equatable {
    /// What the rule does with its expression's result.
    public enum Kind: Sendable, Equatable {
        /// Writes the result as series named `record`.
        case recording
        /// One alert per result series.
        case alerting
    }

    /// Recording or alerting.
    public var kind: Kind
    /// The recorded metric name, or the alert's name.
    public var name: String
    /// The PromQL expression, as written.
    public var expr: String
    /// An alert's condition must hold this long before it fires (0 for recording rules).
    public var forMs: Int64
    /// A firing alert stays firing this long after its condition stopped holding (`keep_firing_for`, 0: none).
    public var keepFiringForMs: Int64
    /// Labels added to (or replacing those of) every result series; an alert's are templates.
    public var labels: [String: String]
    /// An alert's annotations: templates.
    public var annotations: [String: String]
    /// Where it starts.
    public var line: Int

    /// A rule.
    public init(kind: Kind, name: String, expr: String, forMs: Int64 = 0, keepFiringForMs: Int64 = 0, labels: [String: String] = [:],
                annotations: [String: String] = [:], line: Int = 0) {
        self.kind = kind
        self.name = name
        self.expr = expr
        self.forMs = forMs
        self.keepFiringForMs = keepFiringForMs
        self.labels = labels
        self.annotations = annotations
        self.line = line
    }
}

/// What is wrong with a rule file: the file, the line, the group and rule when known, and the problem.
public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// 1-based line (0: not known).
    public var line: Int
    /// The group's name, when the problem is in one.
    public var group: String?
    /// The rule's 1-based index in its group and its name, when the problem is in one.
    public var rule: (index: Int, name: String)?
    /// The problem.
    public var message: String

    /// An error.
    public init(path: String, line: Int, group: String? = nil, rule: (index: Int, name: String)? = nil, message: String) {
        self.path = path
        self.line = line
        self.group = group
        self.rule = rule
        self.message = message
    }

    /// `rules/web.yml:7: group "web", rule 2 "job:up:sum": invalid recording rule name: 1bad`.
    public var description: String {
        var out = path + (line > 0 ? ":\(line)" : "") + ": "
        if let group { out += "group \"\(group)\", " }
        if let rule { out += "rule \(rule.index) \"\(rule.name)\": " }
        return out + message
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.path == rhs.path && lhs.line == rhs.line && lhs.group == rhs.group && lhs.rule?.index == rhs.rule?.index
            && lhs.rule?.name == rhs.rule?.name && lhs.message == rhs.message
    }
}
