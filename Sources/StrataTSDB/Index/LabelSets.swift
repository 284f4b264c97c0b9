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

    /// Calls `body` with set `number`'s symbols: its pair count, then name and value by pair.
    @inline(__always)
    func withSymbols<Result>(_ number: Int, _ body: (UnsafeBufferPointer<UInt32>) -> Result) -> Result {
        let start = starts[number]
        return pages[Int(start >> 32)].withUnsafeBufferPointer { page in
            let offset = Int(start & 0xffff_ffff)
            let count = 1 + 2 * Int(page[offset])
            return body(UnsafeBufferPointer(rebasing: page[offset..<offset + count]))
        }
    }

    /// Set `number` as `Labels` (its strings shared with the index, nothing sorted again).
    func labels(_ number: Int) -> Labels {
        withSymbols(number) { symbols in
            var pairs: [Label] = []
            pairs.reserveCapacity(Int(symbols[0]))
            var index = 1
            while index < symbols.count {
                pairs.append(Label(strings[Int(symbols[index])], strings[Int(symbols[index + 1])]))
                index += 2
            }
            return Labels(sortedPairs: pairs)
        }
    }

    /// The value of the label whose name is `name` in set `number`, or "" when it has none (a nil `name`: no set
    /// holds that name).
    func value(of name: UInt32?, in number: Int) -> String {
        guard let name else { return "" }
        return withSymbols(number) { symbols in
            var index = 1
            while index < symbols.count {
                if symbols[index] == name { return strings[Int(symbols[index + 1])] }
                index += 2
            }
            return ""
        }
    }
}
