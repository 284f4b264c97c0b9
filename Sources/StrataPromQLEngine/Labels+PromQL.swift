import StrataCore
import StrataPromQL

/// The label operations of PromQL's evaluation, as Prometheus's `labels.Builder` performs them: a label set to an
/// empty value is removed, since Prometheus stores no empty label.
extension Labels {
    /// The set without `__name__`.
    var droppingName: Labels {
        guard pairs.contains(where: { $0.name == Labels.metricName }) else { return self }
        return filter { $0.name != Labels.metricName }
    }

    /// The set without the labels in `names`.
    func removing(_ names: Set<String>) -> Labels {
        guard pairs.contains(where: { names.contains($0.name) }) else { return self }
        return filter { !names.contains($0.name) }
    }

    /// Only the labels in `names`.
    func keeping(_ names: Set<String>) -> Labels {
        filter { names.contains($0.name) }
    }

    /// The set with `name` set to `value`, or without `name` when `value` is empty.
    func with(_ name: String, _ value: String) -> Labels {
        value.isEmpty ? removing([name]) : setting(name, value)
    }

    /// The bytes of every name and value, and one per name and per value: room for a key of the set.
    var utf8Count: Int { pairs.reduce(0) { $0 &+ $1.name.utf8.count &+ $1.value.utf8.count &+ 2 } }

    /// Prometheus's text of a label set (`labels.Labels.String()`): `{a="1", b="x\"y"}`, values Go-quoted.
    var promDescription: String {
        "{" + pairs.map { "\($0.name)=\(PromQuoted.quote($0.value))" }.joined(separator: ", ") + "}"
    }

    /// Prometheus's order of label sets (`labels.Compare`): label by label, name then value, compared as bytes;
    /// a prefix sorts first.
    static func precede(_ left: Labels, _ right: Labels) -> Bool {
        for (a, b) in zip(left.pairs, right.pairs) {
            if a.name != b.name { return a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
            if a.value != b.value { return a.value.utf8.lexicographicallyPrecedes(b.value.utf8) }
        }
        return left.pairs.count < right.pairs.count
    }

    /// A key of the labels named in `names` (`on`), or of all but those and `__name__` (`ignoring`, `without`):
    /// names and values as UTF-8, each followed by 0xFF or 0xFE — bytes UTF-8 never holds, so equal keys mean
    /// equal label subsets.
    /// `keepingName` keeps `__name__` in an `ignoring` key (histogram_quantile groups buckets by every label but `le`).
    func signature(on: Bool, _ names: Set<String>, keepingName: Bool = false) -> GroupKey {
        var key: [UInt8] = []
        key.reserveCapacity(utf8Count)
        // A few names are compared directly: hashing every label's name cost more than the rest of the key.
        let few = names.count <= 8 ? Array(names) : nil
        for label in pairs {
            let named = few.map { $0.contains(label.name) } ?? names.contains(label.name)
            if on ? named : (!named && (keepingName || label.name != Labels.metricName)) {
                key.append(contentsOf: label.name.utf8)
                key.append(0xFF)
                key.append(contentsOf: label.value.utf8)
                key.append(0xFE)
            }
        }
        return GroupKey(bytes: key)
    }
}

/// The identity of a group or of a match between vectors: a label subset's bytes (`Labels.signature`), hashed in
/// one pass. (A `String` key with non-ASCII separators went through Unicode normalisation on every hash: a tenth of
/// a `histogram_quantile`'s time.)
struct GroupKey: Hashable {
    var bytes: [UInt8]

    /// The key of elements that all fall in one group (no grouping labels).
    static let none = GroupKey(bytes: [])

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension Dictionary where Key == GroupKey, Value == Int {
    /// The number of `key`, from 1 in the order keys are first seen: elements carry it instead of the key.
    mutating func number(_ key: GroupKey) -> Int {
        if let known = self[key] { return known }
        self[key] = count + 1
        return count
    }
}
