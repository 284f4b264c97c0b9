/// A stable 64-bit identifier derived from natural keys, rendered as 16 lowercase hex digits.
///
/// Identity never depends on a parent: a platform is keyed by machine-id or SMBIOS UUID, a series by
/// its resource, metric name and labels. Re-deriving from the same parts always gives the same id.
public struct StableID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The raw 64-bit value.
    public let rawValue: UInt64

    /// Wraps a raw value.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Derives an id from an ordered list of parts; parts are separated so `["ab","c"] != ["a","bc"]`.
    public init(parts: [String]) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in parts {
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
            hash ^= 0xff
            hash &*= 0x0000_0100_0000_01b3
        }
        self.rawValue = StableID.mix(hash)
    }

    /// Parses 16 hex digits; returns nil for anything else.
    public init?(hex: some StringProtocol) {
        guard hex.utf8.count == 16, let value = UInt64(hex, radix: 16) else { return nil }
        self.rawValue = value
    }

    /// The value as a signed integer, for storage in SQL `INTEGER` columns.
    public var int64: Int64 { Int64(bitPattern: rawValue) }

    /// Wraps a value read from a SQL `INTEGER` column.
    public init(int64: Int64) { self.rawValue = UInt64(bitPattern: int64) }

    /// 16 lowercase hex digits.
    public var description: String {
        let digits = String(rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    public static func < (lhs: StableID, rhs: StableID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// splitmix64 finaliser: spreads FNV-1a's weak high bits over the whole word.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

extension StableID {
    /// The id of a resource of `kind` with natural key `key` in `tenant`.
    public static func resource(tenant: String, kind: ResourceKind, key: String) -> StableID {
        StableID(parts: ["resource", tenant, kind.rawValue, key])
    }

    /// The id of a series: its resource, metric name and sorted labels.
    public static func series(resource: StableID, metric: String, labels: Labels) -> StableID {
        var parts = ["series", resource.description, metric]
        for label in labels.pairs {
            parts.append(label.name)
            parts.append(label.value)
        }
        return StableID(parts: parts)
    }
}
