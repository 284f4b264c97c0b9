import StrataPromQL

/// libFuzzer entry: the PromQL parser and printer. Any bytes either fail with a `ParseError` or give a tree
/// whose printed text (one line and pretty) parses again, printing the same from then on; nothing may trap,
/// and every input must be answered within the 1 s per-input timeout (the parser is linear in the input).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPromQL(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let expr = try? PromQLParser.parse(utf8: bytes) else { return 0 }
    let printed = expr.description
    let pretty = expr.pretty(maxWidth: 20)
    // A string escape that makes invalid UTF-8 is held as U+FFFD, which a query may not contain: no round trip.
    guard !printed.unicodeScalars.contains("\u{FFFD}") else { return 0 }
    // Printed text may be longer than the query (escapes, and indentation that grows with depth).
    let unbounded = PromQLParser.Limits(maxQueryBytes: .max)
    guard let reparsed = try? PromQLParser.parse(printed, limits: unbounded) else {
        fatalError("printed query does not parse: \(printed)")
    }
    guard let prettyReparsed = try? PromQLParser.parse(pretty, limits: unbounded) else {
        fatalError("pretty query does not parse: \(pretty)")
    }
    let normal = reparsed.description
    guard prettyReparsed.description == normal else { fatalError("pretty and one-line text differ: \(pretty) / \(printed)") }
    guard (try? PromQLParser.parse(normal, limits: unbounded))?.description == normal else {
        fatalError("printing is not stable: \(normal)")
    }
    return 0
}
