import Foundation
import StrataPromQL
import Yams

/// Reads a Prometheus rule file and checks it as `promtool check rules` (2.42) does: strict fields, group and rule
/// fields, durations, PromQL expressions, names, labels and templates, and rules repeated in a group. It also refuses
/// what Strata cannot evaluate and Prometheus would only fail at evaluation (an expression that is neither a vector
/// nor a scalar, template actions Strata does not render). Every problem is reported, each naming the line, group
/// and rule.
public enum RuleFileParser {
    /// Largest file read.
    public static let maxBytes = 4 << 20
    /// Most rules one file may hold.
    public static let maxRules = 10_000

    /// The file's groups, or every problem found.
    public static func parse(_ text: String, path: String) -> Result<RuleFile, RuleFileErrors> {
        var checker = Checker(path: path)
        let groups = checker.file(text)
        return checker.errors.isEmpty ? .success(RuleFile(path: path, groups: groups)) : .failure(RuleFileErrors(errors: checker.errors))
    }

    /// Reads and parses the file at `path`.
    public static func read(path: String) -> Result<RuleFile, RuleFileErrors> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(RuleFileErrors(errors: [RuleFileError(path: path, line: 0, message: "cannot be read")]))
        }
        guard data.count <= maxBytes else {
            return .failure(RuleFileErrors(errors: [RuleFileError(path: path, line: 0, message: "larger than \(maxBytes >> 20) MiB")]))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .failure(RuleFileErrors(errors: [RuleFileError(path: path, line: 0, message: "not UTF-8 text")]))
        }
        return parse(text, path: path)
    }
}

/// Every problem of one file.
public struct RuleFileErrors: Error, Sendable, Equatable, CustomStringConvertible {
    /// The problems, in file order.
    public var errors: [RuleFileError]

    /// One line per problem.
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Walks the YAML tree, collecting errors.
struct Checker {
    let path: String
    var errors: [RuleFileError] = []
    var group: String?
    var rule: (index: Int, name: String)?

    init(path: String) { self.path = path }

    mutating func fail(_ node: Node?, _ message: String) {
        errors.append(RuleFileError(path: path, line: node?.mark?.line ?? 0, group: group, rule: rule, message: message))
    }

    mutating func file(_ text: String) -> [RuleGroup] {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            fail(nil, "not valid YAML: \(error)")
            return []
        }
        guard let root, !Self.isNull(root) else { return [] }
        guard let fields = mapping(root, known: ["groups"], in: "the file (it takes groups)") else { return [] }
        guard let list = fields["groups"], !Self.isNull(list) else { return [] }
        guard let items = list.sequence else {
            fail(list, "groups: expected a list of groups")
            return []
        }
        var groups: [RuleGroup] = []
        var seen: [String: Int] = [:]
        for item in items {
            group = nil
            rule = nil
            guard let parsed = self.group(item) else { continue }
            if let first = seen[parsed.name] {
                fail(item, "groupname: \"\(parsed.name)\" is repeated in the same file (first at line \(first))")
            } else {
                seen[parsed.name] = parsed.line
            }
            groups.append(parsed)
        }
        duplicates(groups)
        if groups.reduce(0, { $0 + $1.rules.count }) > RuleFileParser.maxRules {
            group = nil
            rule = nil
            fail(root, "more than \(RuleFileParser.maxRules) rules in one file; split it")
        }
        return groups
    }

    mutating func group(_ node: Node) -> RuleGroup? {
        group = node.mapping?["name"]?.scalar?.string
        guard let fields = mapping(node, known: ["name", "interval", "limit", "rules"], in: "a group") else { return nil }
        let name = scalar(fields["name"], "name") ?? ""
        if name.isEmpty { fail(node, "Groupname must not be empty") }
        group = name
        var result = RuleGroup(name: name, rules: [], line: node.mark?.line ?? 0)
        if let interval = fields["interval"], !Self.isNull(interval) {
            result.intervalMs = duration(interval, "interval")
        }
        if let limit = fields["limit"], !Self.isNull(limit) {
            if let value = limit.scalar.flatMap({ Int($0.string) }) { result.limit = max(0, value) } else { fail(limit, "limit: expected an integer") }
        }
        if let rules = fields["rules"], !Self.isNull(rules) {
            guard let items = rules.sequence else {
                fail(rules, "rules: expected a list of rules")
                return result
            }
            for (offset, item) in items.enumerated() {
                if let parsed = self.rule(item, index: offset + 1) { result.rules.append(parsed) }
            }
            rule = nil
        }
        return result
    }

    /// `promtool`'s duplicate-rule lint, over the whole file: two rules with the same name and labels record or alert the
    /// same series.
    mutating func duplicates(_ groups: [RuleGroup]) {
        var seen: [String: (group: String, index: Int)] = [:]
        for group in groups {
            for (offset, rule) in group.rules.enumerated() {
                let key = "\(rule.kind)\u{0}\(rule.name)\u{0}"
                    + rule.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\u{0}")
                if let first = seen[key] {
                    self.group = group.name
                    self.rule = (offset + 1, rule.name)
                    errors.append(RuleFileError(path: path, line: rule.line, group: group.name, rule: (offset + 1, rule.name),
                                                message: "duplicate rule: same name and labels as rule \(first.index) of group \"\(first.group)\" (both would write the same series)"))
                } else {
                    seen[key] = (group.name, offset + 1)
                }
            }
        }
        self.group = nil
        self.rule = nil
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A mapping's fields by name; unknown and repeated fields are reported.
    mutating func mapping(_ node: Node, known: Set<String>, in what: String) -> [String: Node]? {
        guard let mapping = node.mapping else {
            fail(node, "expected a mapping for \(what)")
            return nil
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? "?"
            if !known.contains(name) {
                fail(key, "field \(name) not found in \(what) (known: \(known.sorted().joined(separator: ", ")))")
            } else if fields[name] != nil {
                fail(key, "mapping key \"\(name)\" already defined")
            } else {
                fields[name] = value
            }
        }
        return fields
    }

    /// A scalar's text (numbers and booleans as written).
    mutating func scalar(_ node: Node?, _ field: String) -> String? {
        guard let node, !Self.isNull(node) else { return nil }
        guard let scalar = node.scalar else {
            fail(node, "\(field): expected a string")
            return nil
        }
        return scalar.string
    }

    mutating func duration(_ node: Node, _ field: String) -> Int64? {
        guard let text = scalar(node, field) else { return nil }
        guard let ms = PromDuration.milliseconds(text) else {
            fail(node, "\(field): not a valid duration string: \"\(text)\"")
            return nil
        }
        return ms
    }

    /// A map of strings (labels, annotations).
    mutating func strings(_ node: Node?, _ field: String) -> [String: String] {
        guard let node, !Self.isNull(node) else { return [:] }
        guard let mapping = node.mapping else {
            fail(node, "\(field): expected a mapping of names to strings")
            return [:]
        }
        var out: [String: String] = [:]
        for (key, value) in mapping {
            let name = key.scalar?.string ?? ""
            if out[name] != nil { fail(key, "\(field): mapping key \"\(name)\" already defined") }
            out[name] = Self.isNull(value) ? "" : (value.scalar?.string ?? { fail(value, "\(field).\(name): expected a string"); return "" }())
        }
        return out
    }
}
