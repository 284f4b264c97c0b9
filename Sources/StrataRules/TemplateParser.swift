/// Parses a template into `TemplateNode`s (see `AlertTemplate`), checking functions and variables as Go's parser does.
struct TemplateParser {
    let text: [UInt8]
    let name: String
    var position = 0
    var line = 1
    var items: [Item] = []
    var next = 0
    /// Variables in scope, innermost scope last.
    var scopes: [Set<String>] = [["$", "$labels", "$externalLabels", "$externalURL", "$value"]]

    enum Item {
        case text(String)
        case action([TemplateToken], line: Int)
    }

    static let dataFields: Set<String> = ["Labels", "Value", "ExternalLabels", "ExternalURL"]

    init(text: String, name: String) {
        self.text = Array(text.utf8)
        self.name = name
    }

    func error(_ message: String, line: Int? = nil) -> TemplateError {
        TemplateError(name: name, line: line ?? self.line, message: message)
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        try split()
        let (nodes, end) = try list()
        if let end { throw error("unexpected {{\(end.word)}}", line: end.line) }
        return nodes
    }

    // MARK: Structure

    /// Nodes up to `{{end}}` or `{{else …}}` (nil at the end of the template).
    mutating func list() throws(TemplateError) -> ([TemplateNode], (word: String, rest: [TemplateToken], line: Int)?) {
        var nodes: [TemplateNode] = []
        while next < items.count {
            let item = items[next]
            next += 1
            switch item {
            case .text(let text): nodes.append(.text(text))
            case .action(let tokens, let line):
                if case .identifier(let word) = tokens.first?.kind, TemplateFunctions.keywords.contains(word) {
                    switch word {
                    case "end", "else": return (nodes, (word, Array(tokens.dropFirst()), line))
                    case "if": nodes.append(try conditional(Array(tokens.dropFirst()), line: line))
                    default: throw error("\(word) is not supported by Strata's templates (use if, else, end and functions)", line: line)
                    }
                } else {
                    nodes.append(.action(try pipeline(tokens, line: line, context: "command"), line: line))
                }
            }
        }
        return (nodes, nil)
    }

    mutating func conditional(_ tokens: [TemplateToken], line: Int) throws(TemplateError) -> TemplateNode {
        var branches: [(Pipeline, [TemplateNode])] = []
        var condition = try pipeline(tokens, line: line, context: "if")
        while true {
            scopes.append([])
            let (body, end) = try list()
            scopes.removeLast()
            branches.append((condition, body))
            guard let end else { throw error("unexpected EOF") }
            if end.word == "end" { return .conditional(branches, otherwise: [], line: line) }
            if case .identifier("if") = end.rest.first?.kind {
                condition = try pipeline(Array(end.rest.dropFirst()), line: end.line, context: "if")
                continue
            }
            scopes.append([])
            let (otherwise, last) = try list()
            scopes.removeLast()
            guard let last else { throw error("unexpected EOF") }
            guard last.word == "end" else { throw error("expected end; found {{else}}", line: last.line) }
            return .conditional(branches, otherwise: otherwise, line: line)
        }
    }

    // MARK: Pipelines

    mutating func pipeline(_ tokens: [TemplateToken], line: Int, context: String) throws(TemplateError) -> Pipeline {
        var tokens = tokens[...]
        var declares: String?
        if tokens.count >= 2, case .variable(let variable) = tokens.first!.kind,
           tokens[tokens.startIndex + 1].kind == .declare || tokens[tokens.startIndex + 1].kind == .assign {
            if tokens[tokens.startIndex + 1].kind == .assign, !isDefined(variable) { throw error("undefined variable \"\(variable)\"", line: line) }
            declares = variable
            tokens = tokens.dropFirst(2)
        }
        var commands: [[Operand]] = []
        var current: [Operand] = []
        while let token = tokens.first {
            if token.kind == .pipe {
                guard !current.isEmpty else { throw error("missing value for command", line: line) }
                commands.append(current)
                current = []
                tokens = tokens.dropFirst()
                continue
            }
            current.append(try operand(&tokens, line: line))
        }
        guard !current.isEmpty else { throw error("missing value for \(context)", line: line) }
        commands.append(current)
        if let declares { scopes[scopes.count - 1].insert(declares) }
        return Pipeline(declares: declares, commands: commands)
    }

    func isDefined(_ variable: String) -> Bool { scopes.contains { $0.contains(variable) } }

    mutating func operand(_ tokens: inout ArraySlice<TemplateToken>, line: Int) throws(TemplateError) -> Operand {
        let token = tokens.removeFirst()
        func fields(_ tokens: inout ArraySlice<TemplateToken>) -> [String] {
            var chain: [String] = []
            while let next = tokens.first, !next.spaceBefore, case .field(let name) = next.kind {
                chain.append(name)
                tokens.removeFirst()
            }
            return chain
        }
        switch token.kind {
        case .field(let name):
            guard Self.dataFields.contains(name) else {
                throw error("can't evaluate field \(name): alert templates have .Labels, .Value, .ExternalLabels and .ExternalURL", line: line)
            }
            return .field([name] + fields(&tokens))
        case .dot: return .field([])
        case .variable(let variable):
            guard isDefined(variable) else { throw error("undefined variable \"\(variable)\"", line: line) }
            return .variable(variable, fields(&tokens))
        case .string(let text): return .string(text)
        case .number(let value): return .number(value)
        case .identifier("true"): return .bool(true)
        case .identifier("false"): return .bool(false)
        case .identifier("nil"): return .null
        case .identifier(let function):
            guard TemplateFunctions.known.contains(function) else { throw error("function \"\(function)\" not defined", line: line) }
            guard TemplateFunctions.rendered.contains(function) else {
                throw error("function \"\(function)\" is not supported by Strata's templates", line: line)
            }
            return .function(function)
        case .open:
            var depth = 0
            var inner: [TemplateToken] = []
            while let next = tokens.first {
                tokens.removeFirst()
                if next.kind == .open { depth += 1 }
                if next.kind == .close {
                    if depth == 0 {
                        let nested = try pipeline(inner, line: line, context: "command")
                        return .pipeline(nested, fields(&tokens))
                    }
                    depth -= 1
                }
                inner.append(next)
            }
            throw error("unclosed left paren", line: line)
        case .close: throw error("unexpected right paren", line: line)
        case .pipe, .declare, .assign: throw error("unexpected \"\(token.kind)\" in operand", line: line)
        }
    }
}
