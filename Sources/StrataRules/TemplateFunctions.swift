import Foundation
import StrataPromQL

/// The functions of Prometheus 2.42's alert templates: Go's built-ins and Prometheus's own. `known` is every name
/// Go's parser accepts; `rendered` the ones Strata evaluates (those that query the database or build links are not).
enum TemplateFunctions {
    static let keywords: Set<String> = ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]
    static let known: Set<String> = [
        "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery",
        "eq", "ge", "gt", "le", "lt", "ne",
        "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match", "title", "toUpper", "toLower",
        "graphLink", "tableLink", "sortByLabel", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
        "humanizeTimestamp", "pathPrefix", "externalURL", "parseDuration", "toTime", "stripPort",
    ]
    static let rendered: Set<String> = [
        "and", "index", "len", "not", "or", "print", "printf", "println", "eq", "ge", "gt", "le", "lt", "ne",
        "reReplaceAll", "safeHtml", "match", "title", "toUpper", "toLower", "humanize", "humanize1024", "humanizeDuration",
        "humanizePercentage", "humanizeTimestamp", "parseDuration", "stripPort",
    ]

    struct Failure: Error { var message: String }

    static func call(_ name: String, _ arguments: [TemplateValue]) throws(Failure) -> TemplateValue {
        func count(_ wanted: Int) throws(Failure) {
            guard arguments.count == wanted else { throw Failure(message: "wrong number of args for \(name): want \(wanted) got \(arguments.count)") }
        }
        func number(_ value: TemplateValue) throws(Failure) -> Double {
            switch value {
            case .number(let number): return number
            case .string(let text):
                guard let number = Double(text.trimmingCharacters(in: .whitespaces)) else {
                    throw Failure(message: "strconv.ParseFloat: parsing \"\(text)\": invalid syntax")
                }
                return number
            case .bool(let flag): return flag ? 1 : 0
            default: throw Failure(message: "cannot convert \(value.text) to a number")
            }
        }
        switch name {
        case "and": return arguments.first { !$0.truth } ?? arguments.last ?? .null
        case "or": return arguments.first { $0.truth } ?? arguments.last ?? .null
        case "not": try count(1); return .bool(!arguments[0].truth)
        case "len":
            try count(1)
            switch arguments[0] {
            case .string(let text): return .number(Double(text.utf8.count))
            case .map(let map): return .number(Double(map.count))
            default: throw Failure(message: "len of \(arguments[0].text)")
            }
        case "index":
            try count(2)
            guard case .map(let map) = arguments[0] else { throw Failure(message: "can't index item of type \(arguments[0].text)") }
            return .string(map[arguments[1].text] ?? "")
        case "eq", "ne", "lt", "le", "gt", "ge":
            try count(2)
            return .bool(compare(name, arguments[0], arguments[1]))
        case "print": return .string(sprint(arguments))
        case "println": return .string(arguments.map(\.text).joined(separator: " ") + "\n")
        case "printf":
            guard let format = arguments.first else { throw Failure(message: "printf needs a format") }
            return .string(GoFormat.printf(format.text, Array(arguments.dropFirst())))
        case "safeHtml": try count(1); return .string(arguments[0].text)
        case "title": try count(1); return .string(arguments[0].text.split(separator: " ", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "toUpper": try count(1); return .string(arguments[0].text.uppercased())
        case "toLower": try count(1); return .string(arguments[0].text.lowercased())
        case "match", "reReplaceAll":
            try count(name == "match" ? 2 : 3)
            guard let regex = try? NSRegularExpression(pattern: arguments[0].text) else {
                throw Failure(message: "error parsing regexp: \(arguments[0].text)")
            }
            let subject = arguments[name == "match" ? 1 : 2].text
            let range = NSRange(subject.startIndex..., in: subject)
            if name == "match" { return .bool(regex.firstMatch(in: subject, range: range) != nil) }
            let template = arguments[1].text.replacingOccurrences(of: "${", with: "$").replacingOccurrences(of: "}", with: "")
            return .string(regex.stringByReplacingMatches(in: subject, range: range, withTemplate: template))
        case "humanize": try count(1); return .string(Humanize.metric(try number(arguments[0])))
        case "humanize1024": try count(1); return .string(Humanize.binary(try number(arguments[0])))
        case "humanizeDuration": try count(1); return .string(Humanize.duration(try number(arguments[0])))
        case "humanizePercentage": try count(1); return .string(Humanize.g4(try number(arguments[0]) * 100) + "%")
        case "humanizeTimestamp": try count(1); return .string(Humanize.timestamp(try number(arguments[0])))
        case "parseDuration":
            try count(1)
            guard let ms = PromDuration.milliseconds(arguments[0].text) else { throw Failure(message: "not a valid duration string: \"\(arguments[0].text)\"") }
            return .number(Double(ms) / 1000)
        case "stripPort":
            try count(1)
            let text = arguments[0].text
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") { return .string(String(text[text.index(after: text.startIndex)..<close])) }
            if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") { return .string(String(text[..<colon])) }
            return .string(text)
        default: throw Failure(message: "not supported")
        }
    }

    /// `fmt.Sprint`: spaces between operands when neither is a string.
    static func sprint(_ arguments: [TemplateValue]) -> String {
        var out = ""
        for (index, argument) in arguments.enumerated() {
            if index > 0, !isString(arguments[index - 1]), !isString(argument) { out += " " }
            out += argument.text
        }
        return out
    }

    static func isString(_ value: TemplateValue) -> Bool {
        if case .string = value { return true }
        return false
    }

    static func compare(_ op: String, _ left: TemplateValue, _ right: TemplateValue) -> Bool {
        let order: Int
        switch (left, right) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.bool(let a), .bool(let b)): order = a == b ? 0 : 1
        default: order = left.text < right.text ? -1 : (left.text > right.text ? 1 : 0)
        }
        switch op {
        case "eq": return order == 0
        case "ne": return order != 0
        case "lt": return order < 0
        case "le": return order <= 0
        case "gt": return order > 0
        default: return order >= 0
        }
    }
}
