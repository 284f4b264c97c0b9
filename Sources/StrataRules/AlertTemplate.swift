/// An alerting rule's label or annotation template, in the part of Go's `text/template` language that Prometheus rule
/// files use: text with `{{ … }}` actions over `$labels`, `$value`, `$externalLabels`, `$externalURL` (and `.Labels`,
/// `.Value`, …), pipelines with Prometheus's formatting functions (`humanize`, `printf "%.2f"`, `toUpper`, …),
/// variables (`$x := …`), `if`/`else if`/`else`/`end`, comments and `{{-`/`-}}` trimming.
///
/// Parsing reports what Go's parser reports (`unclosed action`, `function "x" not defined`, `undefined variable
/// "$x"`, `unexpected {{end}}`); it also refuses, naming them, the parts Strata does not render: `range`, `with`,
/// `define`/`template`/`block` and the functions that query (`query`, `first`, `label`, …).
public struct AlertTemplate: Sendable {
    /// The template's name in messages (Prometheus's `__alert_NAME`).
    public let name: String
    let nodes: [TemplateNode]

    /// Parses `text`.
    public init(_ text: String, name: String) throws(TemplateError) {
        self.name = name
        var parser = TemplateParser(text: text, name: name)
        nodes = try parser.parse()
    }

    /// The text for one alert: Prometheus's data (`.Labels` the series' labels, `.Value` its value). A failure while
    /// rendering gives Prometheus's `<error expanding template: …>` text instead.
    public func render(labels: [String: String], value: Double, externalLabels: [String: String] = [:], externalURL: String = "") -> String {
        var evaluator = TemplateEvaluator(name: name, data: TemplateData(labels: labels, value: value, externalLabels: externalLabels,
                                                                          externalURL: externalURL))
        do {
            return try evaluator.run(nodes)
        } catch {
            return "<error expanding template: \(error.description)>"
        }
    }
}

/// Why a template does not parse or render: Go's `template: NAME:LINE: message`.
public struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The template's name.
    public var name: String
    /// 1-based line in the template.
    public var line: Int
    /// What is wrong.
    public var message: String

    public var description: String { "template: \(name):\(line): \(message)" }
}

/// What a template's actions see.
struct TemplateData {
    var labels: [String: String]
    var value: Double
    var externalLabels: [String: String]
    var externalURL: String
}

/// A parsed template.
indirect enum TemplateNode: Sendable {
    case text(String)
    case action(Pipeline, line: Int)
    /// `if` branches in order (`else if` adds one), then the `else` nodes.
    case conditional([(Pipeline, [TemplateNode])], otherwise: [TemplateNode], line: Int)
}

/// `$x := a b | c d`.
struct Pipeline: Sendable {
    var declares: String?
    var commands: [[Operand]]
}

/// One argument of a command.
indirect enum Operand: Sendable {
    /// `.A.B` (empty: the dot itself).
    case field([String])
    /// `$name.A.B`.
    case variable(String, [String])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case function(String)
    /// `( pipeline )` then optional fields.
    case pipeline(Pipeline, [String])
}
