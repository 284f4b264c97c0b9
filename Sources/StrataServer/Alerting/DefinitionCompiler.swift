import Foundation
import StrataAlerting
import StrataAPI
import StrataCore

/// A definition that cannot be used, naming the field and what is wrong with it.
public struct DefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path, e.g. `condition.op`.
    public var field: String
    /// What is wrong.
    public var message: String

    public var description: String { "\(field): \(message)" }
}

/// Turns an API or YAML definition into the evaluator's `AlertDefinition`, refusing anything it cannot evaluate with
/// an error that names the field.
enum DefinitionCompiler {
    static let maxNameLength = 128

    static func compile(_ body: API.AlertDefinition, tenantID: String, origin: String) throws(DefinitionError) -> AlertDefinition {
        let name = body.name
        guard !name.isEmpty, name.utf8.count <= maxNameLength,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0)
                  || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == "." }) else {
            throw DefinitionError(field: "name", message: "must be 1–\(maxNameLength) characters of letters, digits, '-', '_' and '.'")
        }
        let severity = try strictSeverity(body.severity, field: "severity") ?? .warning
        let policy = LifecyclePolicy(forMs: try duration(body.forDuration, field: "for") ?? 0,
                                     minFiringMs: try duration(body.minFiring, field: "minFiring") ?? 0,
                                     flapWindowMs: try duration(body.flapWindow, field: "flapWindow") ?? 600_000,
                                     flapThreshold: try flapThreshold(body.flapThreshold))
        for (key, template) in body.annotations ?? [:] {
            let unknown = AnnotationTemplate.unknownFields(in: template)
            guard unknown.isEmpty else {
                throw DefinitionError(field: "annotations.\(key)", message: "unknown template field \(unknown.map { "{{ .\($0) }}" }.joined(separator: ", ")); "
                                      + "use .value, .resource.name, .resource.id, .resource.kind, .labels, .labels.NAME, .definition.name, .severity, .state, .crossing, .expected or .deviations")
            }
        }
        for (index, target) in (body.notify ?? []).enumerated() { try validate(target, field: "notify[\(index)]") }
        let scope = try scope(body.scope)
        let condition = try condition(body.condition)
        if case .composite = condition, case .series = scope {
            throw DefinitionError(field: "scope", message: "a composite watches resources and their stack: scope it to a resource, group, kind or serverType")
        }
        return AlertDefinition(id: AlertDefinition.id(tenantID: tenantID, name: name), tenantID: tenantID, name: name,
                               scope: scope, condition: condition, severity: severity, policy: policy,
                               labels: body.labels ?? [:], annotations: body.annotations ?? [:], notify: [], origin: origin,
                               escalation: try escalation(body.escalation), action: try action(body.action, scope: scope))
    }

    /// One of the four names exactly (log-level synonyms such as `fatal` are for agents' log lines, not definitions,
    /// where the stored text would otherwise differ from what the alert shows).
    static func strictSeverity(_ text: String?, field: String) throws(DefinitionError) -> EventSeverity? {
        guard let text else { return nil }
        guard let severity = EventSeverity.allCases.first(where: { $0.name == text }) else {
            throw DefinitionError(field: field, message: "must be info, warning, error or critical, not \"\(text)\"")
        }
        return severity
    }

    static func duration(_ text: String?, field: String) throws(DefinitionError) -> Int64? {
        guard let text else { return nil }
        guard let ms = DurationText.milliseconds(text), ms >= 0 else {
            throw DefinitionError(field: field, message: "\"\(text)\" is not a duration such as 30s, 5m, 1h or 7d")
        }
        return ms
    }

    static func flapThreshold(_ value: Int?) throws(DefinitionError) -> Int {
        guard let value else { return 4 }
        guard (0...1_000).contains(value) else { throw DefinitionError(field: "flapThreshold", message: "must be between 0 (never) and 1000") }
        return value
    }

    static func scope(_ body: API.AlertScope) throws(DefinitionError) -> AlertScope {
        var scopes: [AlertScope] = []
        if let resource = body.resource { scopes.append(.resource(resource)) }
        if let group = body.group { scopes.append(.group(group)) }
        if let kind = body.kind {
            guard let parsed = ResourceKind(rawValue: kind) else {
                throw DefinitionError(field: "scope.kind", message: "unknown kind \"\(kind)\"; one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            scopes.append(.kind(parsed))
        }
        if let type = body.serverType {
            guard !type.isEmpty else { throw DefinitionError(field: "scope.serverType", message: "must not be empty") }
            scopes.append(.serverType(type))
        }
        if let series = body.series {
            guard !series.isEmpty else { throw DefinitionError(field: "scope.series", message: "needs at least one label") }
            scopes.append(.series(series))
        }
        guard scopes.count == 1, let scope = scopes.first else {
            throw DefinitionError(field: "scope", message: "give exactly one of resource, group, kind, serverType or series")
        }
        return scope
    }

    static func condition(_ body: API.AlertCondition, field prefix: String = "condition") throws(DefinitionError) -> AlertCondition {
        switch body.type {
        case "threshold":
            guard let metric = body.metric, !metric.isEmpty else { throw DefinitionError(field: "\(prefix).metric", message: "a threshold needs a metric name") }
            guard let opText = body.op, let op = ComparisonOperator(rawValue: opText) else {
                throw DefinitionError(field: "\(prefix).op", message: "must be one of >, >=, <, <=, ==, != (got \(body.op.map { "\"\($0)\"" } ?? "nothing"))")
            }
            guard let threshold = body.threshold, threshold.isFinite else { throw DefinitionError(field: "\(prefix).threshold", message: "needs a finite number") }
            if let clear = body.clear {
                guard clear.isFinite else { throw DefinitionError(field: "\(prefix).clear", message: "needs a finite number") }
                // Hysteresis keeps an open alert open a little longer: the clear threshold lies on the near side.
                switch op {
                case .greater, .greaterOrEqual:
                    guard clear <= threshold else { throw DefinitionError(field: "\(prefix).clear", message: "must be at most the threshold for \(op.rawValue)") }
                case .less, .lessOrEqual:
                    guard clear >= threshold else { throw DefinitionError(field: "\(prefix).clear", message: "must be at least the threshold for \(op.rawValue)") }
                case .equal, .notEqual:
                    throw DefinitionError(field: "\(prefix).clear", message: "has no meaning with \(op.rawValue)")
                }
            }
            let input: ThresholdInput
            switch body.input ?? "value" {
            case "value": input = .value
            case "rate": input = .rate
            case let name:
                guard let function = WindowFunction(rawValue: name) else {
                    throw DefinitionError(field: "\(prefix).input", message: "must be value, rate, avg, min, max, sum or count, not \"\(name)\"")
                }
                guard let window = try duration(body.window, field: "\(prefix).window"), window > 0 else {
                    throw DefinitionError(field: "\(prefix).window", message: "an aggregate needs a window such as 5m")
                }
                input = .aggregate(function, windowMs: window)
            }
            return .threshold(ThresholdCondition(metric: metric, labels: body.labels ?? [:], input: input, op: op, threshold: threshold, clear: body.clear))
        case "trend":
            guard let metric = body.metric, !metric.isEmpty else { throw DefinitionError(field: "\(prefix).metric", message: "a trend needs a metric name") }
            guard let opText = body.op, let op = ComparisonOperator(rawValue: opText), op != .equal, op != .notEqual else {
                throw DefinitionError(field: "\(prefix).op", message: "a trend watches a rise (>, >=) or a fall (<, <=)")
            }
            guard let threshold = body.threshold, threshold.isFinite else { throw DefinitionError(field: "\(prefix).threshold", message: "needs a finite number") }
            guard let horizon = try duration(body.horizon, field: "\(prefix).horizon"), horizon > 0 else {
                throw DefinitionError(field: "\(prefix).horizon", message: "a trend needs a horizon such as 3d: how far ahead a crossing counts")
            }
            let window = try duration(body.window, field: "\(prefix).window") ?? 6 * 3_600_000
            guard window > 0 else { throw DefinitionError(field: "\(prefix).window", message: "must be longer than 0") }
            return .trend(TrendCondition(metric: metric, labels: body.labels ?? [:], op: op, threshold: threshold, horizonMs: horizon, windowMs: window))
        case "availability":
            let text = body.problem ?? "down"
            guard let problem = AvailabilityCondition.Problem(rawValue: text) else {
                throw DefinitionError(field: "\(prefix).problem", message: "must be down, agent-silent or unreachable, not \"\(text)\"")
            }
            return .availability(AvailabilityCondition(problem: problem))
        case "event":
            let minimum = try strictSeverity(body.severity, field: "\(prefix).severity") ?? .info
            if let kinds = body.kinds, kinds.contains("alert") {
                throw DefinitionError(field: "\(prefix).kinds", message: "alerts' own events cannot trigger alerts")
            }
            return .event(EventCondition(kinds: Set(body.kinds ?? []), minimumSeverity: minimum, words: body.words ?? [], pathGlob: body.path,
                                         resolveAfterMs: try duration(body.resolveAfter, field: "\(prefix).resolveAfter")))
        case "baseline":
            return .baseline(try baseline(body, field: prefix))
        case "composite":
            guard prefix == "condition" else { throw DefinitionError(field: "\(prefix).type", message: "a composite cannot hold another composite") }
            return .composite(try composite(body, field: prefix))
        case let other:
            throw DefinitionError(field: "\(prefix).type", message: "must be threshold, trend, baseline, availability, event or composite, not \"\(other)\"")
        }
    }

    static func validate(_ target: API.NotifyTarget, field: String) throws(DefinitionError) {
        func url(_ text: String?) throws(DefinitionError) {
            guard let text, text.hasPrefix("http://") || text.hasPrefix("https://"), text.count > 8 else {
                throw DefinitionError(field: "\(field).url", message: "needs an http:// or https:// URL")
            }
        }
        switch target.type {
        case "webhook", "slack", "alertmanager": try url(target.url)
        case "email":
            guard let host = target.host, !host.isEmpty else { throw DefinitionError(field: "\(field).host", message: "an email target needs the SMTP host") }
            guard let from = target.from, from.contains("@") else { throw DefinitionError(field: "\(field).from", message: "needs a sender address") }
            guard let to = target.to, !to.isEmpty, to.allSatisfy({ $0.contains("@") }) else {
                throw DefinitionError(field: "\(field).to", message: "needs at least one recipient address")
            }
            if let port = target.port, !(1...65_535).contains(port) { throw DefinitionError(field: "\(field).port", message: "must be 1–65535") }
            if let tls = target.tls, tls != "starttls", tls != "none" { throw DefinitionError(field: "\(field).tls", message: "must be starttls or none") }
        case let other:
            throw DefinitionError(field: "\(field).type", message: "must be webhook, slack, alertmanager or email, not \"\(other)\"")
        }
        // What delivery will accept, checked now: a target that cannot work is refused when saved, not when it fires.
        do {
            _ = try JSONDecoder().decode(NotificationTarget.self, from: JSONEncoder().encode(target))
        } catch let DecodingError.dataCorrupted(context) {
            throw DefinitionError(field: field, message: context.debugDescription)
        } catch {
            throw DefinitionError(field: field, message: "\(error)")
        }
    }
}
