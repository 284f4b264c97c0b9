import StrataPromQL

/// A value inside a template.
enum TemplateValue: Sendable {
    case string(String), number(Double), bool(Bool), map([String: String]), data, null

    /// Go's truth: false, 0, "", empty maps and nil are false.
    var truth: Bool {
        switch self {
        case .string(let text): !text.isEmpty
        case .number(let value): value != 0
        case .bool(let value): value
        case .map(let map): !map.isEmpty
        case .data: true
        case .null: false
        }
    }

    /// As `fmt.Sprint` prints it.
    var text: String {
        switch self {
        case .string(let text): text
        case .number(let value): value == value.rounded() && abs(value) < 1e15 && !value.isInfinite
            ? String(Int64(value)) : PromFloatText.shortest(value)
        case .bool(let value): value ? "true" : "false"
        case .map(let map): "map[" + map.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ") + "]"
        case .data: "{}"
        case .null: "<no value>"
        }
    }
}

/// Runs parsed templates over one alert's data.
struct TemplateEvaluator {
    let name: String
    let data: TemplateData
    var variables: [String: TemplateValue] = [:]
    var line = 1

    init(name: String, data: TemplateData) {
        self.name = name
        self.data = data
        variables = ["$": .data, "$labels": .map(data.labels), "$externalLabels": .map(data.externalLabels),
                     "$externalURL": .string(data.externalURL), "$value": .number(data.value)]
    }

    func error(_ message: String) -> TemplateError { TemplateError(name: name, line: line, message: message) }

    mutating func run(_ nodes: [TemplateNode]) throws(TemplateError) -> String {
        var out = ""
        for node in nodes {
            switch node {
            case .text(let text): out += text
            case .action(let pipeline, let line):
                self.line = line
                let value = try evaluate(pipeline)
                if pipeline.declares == nil { out += printed(value) }
            case .conditional(let branches, let otherwise, let line):
                self.line = line
                var taken: [TemplateNode]?
                for (condition, body) in branches where taken == nil {
                    if try evaluate(condition).truth { taken = body }
                }
                out += try run(taken ?? otherwise)
            }
        }
        return out
    }

    /// A value as an action writes it: floats as `%v` would, with Prometheus's `<no value>` never shown for labels.
    func printed(_ value: TemplateValue) -> String {
        if case .number(let number) = value { return PromFloatText.shortest(number) }
        return value.text
    }

    mutating func evaluate(_ pipeline: Pipeline) throws(TemplateError) -> TemplateValue {
        var piped: TemplateValue?
        for command in pipeline.commands {
            piped = try run(command, piped: piped)
        }
        let value = piped ?? .null
        if let variable = pipeline.declares { variables[variable] = value }
        return value
    }

    mutating func run(_ command: [Operand], piped: TemplateValue?) throws(TemplateError) -> TemplateValue {
        if case .function(let function) = command[0] {
            var arguments: [TemplateValue] = []
            for operand in command.dropFirst() { arguments.append(try value(operand)) }
            if let piped { arguments.append(piped) }
            do {
                return try TemplateFunctions.call(function, arguments)
            } catch {
                throw self.error("error calling \(function): \(error.message)")
            }
        }
        guard command.count == 1, piped == nil else { throw error("can't give argument to non-function \(command[0])") }
        return try value(command[0])
    }

    mutating func value(_ operand: Operand) throws(TemplateError) -> TemplateValue {
        switch operand {
        case .field(let chain): return try walk(.data, chain)
        case .variable(let name, let chain): return try walk(variables[name] ?? .null, chain)
        case .string(let text): return .string(text)
        case .number(let number): return .number(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .function(let function): return try run([.function(function)], piped: nil)
        case .pipeline(let pipeline, let chain): return try walk(try evaluate(pipeline), chain)
        }
    }

    func walk(_ start: TemplateValue, _ chain: [String]) throws(TemplateError) -> TemplateValue {
        var current = start
        for field in chain {
            switch current {
            case .data:
                switch field {
                case "Labels": current = .map(data.labels)
                case "ExternalLabels": current = .map(data.externalLabels)
                case "ExternalURL": current = .string(data.externalURL)
                case "Value": current = .number(data.value)
                default: throw error("can't evaluate field \(field)")
                }
            // Prometheus renders with missingkey=zero: an absent label is "".
            case .map(let map): current = .string(map[field] ?? "")
            default: throw error("can't evaluate field \(field) in a \(current)")
            }
        }
        return current
    }
}
