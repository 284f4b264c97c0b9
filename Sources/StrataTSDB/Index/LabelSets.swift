import StrataCore

/// Every indexed series' labels as numbers of interned strings (symbols), by series number.
///
/// A set is its pair count, then a name and a value symbol per pair, sorted by name: 52 bytes and an 8-byte start
/// for a series of six labels, where an array of six `Label`s (two `String`s each) took 224 — 17 MB of 100k
/// node_exporter series. Sets are turned back into `Labels` when a query returns them. A value type in pages of
/// 64 Ki symbols: a copy (a query's snapshot of the index) shares every page, and the next append copies only
/// the newest one.
struct LabelSets: Sendable {
    /// Strings by symbol.
    private(set) var strings: [String] = []
    private var symbols: [String: UInt32] = [:]
    /// Sets, each within one page.
    private var pages: [[UInt32]] = []
    /// Where each set starts: page number in the high 32 bits, offset in the low 32.
    private var starts: [UInt64] = []

    /// Symbols a page holds before the next set starts a new one (a larger set has a page of its own).
    static let pageCapacity = 1 << 16

    /// Number of sets.
    var count: Int { starts.count }

    /// The symbol of `string`, when some set holds it.
    func symbol(of string: String) -> UInt32? { symbols[string] }

    /// Adds a set as the next number's.
    mutating func append(_ labels: Labels) {
        let needed = 1 + 2 * labels.pairs.count
        if pages.isEmpty || pages[pages.count - 1].count + needed > Self.pageCapacity {
            var page: [UInt32] = []
            page.reserveCapacity(max(Self.pageCapacity, needed))
            pages.append(page)
        }
        let last = pages.count - 1
        starts.append(UInt64(last) << 32 | UInt64(pages[last].count))
        pages[last].append(UInt32(truncatingIfNeeded: labels.pairs.count))
        for label in labels.pairs {
            pages[last].append(intern(label.name))
            pages[last].append(intern(label.value))
        }
    }

    private mutating func intern(_ string: String) -> UInt32 {
        if let known = symbols[string] { return known }
        let symbol = UInt32(truncatingIfNeeded: strings.count)
        strings.append(string)
        symbols[string] = symbol
        return symbol
    }

    /// Reads sets through pointers: a query checks thousands of sets on every core, and retaining the same
    /// arrays for each read contended between the cores.
    struct Reader {
        let pages: UnsafeBufferPointer<UnsafeBufferPointer<UInt32>>
        let starts: UnsafeBufferPointer<UInt64>
        let strings: UnsafeBufferPointer<String>

        /// Set `number`'s symbols: its pair count, then name and value by pair.
        @inline(__always)
        func symbols(_ number: Int) -> UnsafeBufferPointer<UInt32> {
            let start = starts[number]
            let page = pages[Int(start >> 32)]
            let offset = Int(start & 0xffff_ffff)
            return UnsafeBufferPointer(rebasing: page[offset..<offset + 1 + 2 * Int(page[offset])])
        }

        /// Set `number` as `Labels` (its strings shared with the index, nothing sorted again); with `visibleOnly`,
        /// without its internal labels (`Labels.visible`, in the same one allocation).
        func labels(_ number: Int, visibleOnly: Bool = false) -> Labels {
            let symbols = symbols(number)
            let count = Int(symbols[0])
            var kept = count
            if visibleOnly {
                for pair in 0..<count where !Labels.isVisible(strings[Int(symbols[1 + 2 * pair])]) { kept -= 1 }
            }
            let pairs = [Label](unsafeUninitializedCapacity: kept) { buffer, initialized in
                var written = 0
                for pair in 0..<count {
                    let name = strings[Int(symbols[1 + 2 * pair])]
                    if kept < count && !Labels.isVisible(name) { continue }
                    (buffer.baseAddress! + written).initialize(to: Label(name, strings[Int(symbols[2 + 2 * pair])]))
                    written += 1
                }
                initialized = written
            }
            return Labels(sortedPairs: pairs)
        }

        /// The value symbol of the label whose name is `name` in set `number`, or nil when it has none.
        @inline(__always)
        func valueSymbol(of name: UInt32, in number: Int) -> UInt32? {
            let symbols = symbols(number)
            var index = 1
            while index < symbols.count {
                if symbols[index] == name { return symbols[index + 1] }
                index += 2
            }
            return nil
        }
    }

    /// Calls `body` with a reader of these sets, valid during the call only.
    func withReader<Result>(_ body: (Reader) -> Result) -> Result {
        starts.withUnsafeBufferPointer { starts in
            strings.withUnsafeBufferPointer { strings in
                // Each page's storage stays where it is while `self`, which holds the pages, is alive and unchanged:
                // for this call.
                let pointers = pages.map { page in page.withUnsafeBufferPointer { $0 } }
                return pointers.withUnsafeBufferPointer { pages in body(Reader(pages: pages, starts: starts, strings: strings)) }
            }
        }
    }

    /// Set `number` as `Labels` (its strings shared with the index, nothing sorted again).
    func labels(_ number: Int) -> Labels { withReader { $0.labels(number) } }

    /// The value of the label whose name is `name` in set `number`, or "" when it has none (a nil `name`: no set
    /// holds that name).
    func value(of name: UInt32?, in number: Int) -> String {
        withReader { reader in
            guard let name, let value = reader.valueSymbol(of: name, in: number) else { return "" }
            return reader.strings[Int(value)]
        }
    }
}

/// A label matcher tested on label sets by symbol: `=` and `!=` compare symbols, a regular expression is run once
/// per distinct value and its verdict kept (a query checks thousands of series that share a few values).
struct SymbolMatcher {
    let matcher: LabelMatcher
    /// The matcher's label name as a symbol (nil: no set has the label, every value is "").
    let name: UInt32?
    /// For `=` and `!=` with a non-empty value: the value's symbol (nil: no set holds it).
    let value: UInt32?
    let comparesSymbols: Bool
    /// Whether a set without the label passes.
    let acceptsMissing: Bool
    private var verdicts: [UInt32: Bool] = [:]

    init(_ matcher: LabelMatcher, in sets: LabelSets) {
        self.matcher = matcher
        name = sets.symbol(of: matcher.name)
        comparesSymbols = (matcher.op == .equal || matcher.op == .notEqual) && !matcher.value.isEmpty
        value = comparesSymbols ? sets.symbol(of: matcher.value) : nil
        acceptsMissing = matcher.matches("")
    }

    /// Whether set `number` passes.
    mutating func matches(_ number: Int, in sets: LabelSets.Reader) -> Bool {
        guard let name, let found = sets.valueSymbol(of: name, in: number) else { return acceptsMissing }
        if comparesSymbols { return (found == value) == (matcher.op == .equal) }
        if let verdict = verdicts[found] { return verdict }
        let verdict = matcher.matches(sets.strings[Int(found)])
        verdicts[found] = verdict
        return verdict
    }
}
