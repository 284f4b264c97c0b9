/// How the failover policy decides that a VM's old host can no longer run it (docs/control.md "VM failover").
public enum FailoverFencing: String, Sendable, Codable, CaseIterable {
    /// The host's hypervisor unreachable for the whole grace period, and the VM listed running by no other
    /// hypervisor. A hypervisor's daemon can die while its guests run on: use `host` where that matters.
    case hypervisor
    /// As `hypervisor`, and the agent of the hypervisor's host silent too (its platform down): the machine is gone.
    case host
}

/// The failover settings of one resource group: the group's hypervisors are the hosts VMs may be started on, its
/// VMs are the restartable ones.
public struct FailoverSettings: Sendable, Equatable, Codable {
    /// Whether the group's VMs are failed over at all.
    public var enabled: Bool
    /// How long a host's hypervisor must stay unreachable before its VMs are started elsewhere, in ms.
    public var graceMs: Int64
    /// Path prefixes of shared storage (absolute, ending in `/`): a VM qualifies only when every disk's source lies
    /// below one of them.
    public var sharedStorage: [String]
    /// Sets of VM ids never placed on the same hypervisor.
    public var antiAffinity: [[String]]
    /// When the old host counts as fenced.
    public var fencing: FailoverFencing

    /// 60 s.
    public static let defaultGraceMs: Int64 = 60_000
    /// 1 s to 24 h.
    public static let graceRange: ClosedRange<Int64> = 1_000...86_400_000
    /// Most prefixes, anti-affinity sets and VMs per set.
    public static let maxPrefixes = 32
    public static let maxSets = 256
    public static let maxSetSize = 256

    /// Settings; the defaults are a group that does not fail over.
    public init(enabled: Bool = false, graceMs: Int64 = defaultGraceMs, sharedStorage: [String] = [], antiAffinity: [[String]] = [],
                fencing: FailoverFencing = .hypervisor) {
        self.enabled = enabled
        self.graceMs = graceMs
        self.sharedStorage = sharedStorage
        self.antiAffinity = antiAffinity
        self.fencing = fencing
    }

    /// The settings with prefixes normalised (a missing final `/` added), or why they cannot be used.
    public func validated() throws(FailoverSettingsError) -> FailoverSettings {
        guard Self.graceRange.contains(graceMs) else { throw .badGracePeriod(graceMs) }
        guard sharedStorage.count <= Self.maxPrefixes else { throw .tooMany("sharedStorage", Self.maxPrefixes) }
        var copy = self
        copy.sharedStorage = []
        for prefix in sharedStorage {
            guard prefix.hasPrefix("/"), prefix.utf8.count <= 4_096, !prefix.split(separator: "/").contains(".."),
                  prefix.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else { throw .badPrefix(prefix) }
            copy.sharedStorage.append(prefix.hasSuffix("/") ? prefix : prefix + "/")
        }
        guard antiAffinity.count <= Self.maxSets else { throw .tooMany("antiAffinity", Self.maxSets) }
        for set in antiAffinity {
            guard set.count >= 2, set.count <= Self.maxSetSize, Set(set).count == set.count else { throw .badAntiAffinitySet(set) }
        }
        return copy
    }

    /// Whether every path lies below a shared-storage prefix (the prefixes end in `/`, so `/shared-not` is not below `/shared`).
    public func isShared(_ paths: [String]) -> Bool {
        paths.allSatisfy { path in !path.split(separator: "/").contains("..") && sharedStorage.contains { path.hasPrefix($0) } }
    }
}

/// Why failover settings were refused, in words a user can act on.
public enum FailoverSettingsError: Error, Sendable, Equatable, CustomStringConvertible {
    case badGracePeriod(Int64)
    case badPrefix(String)
    case badAntiAffinitySet([String])
    case tooMany(String, Int)
    case notMembers([String])

    public var description: String {
        switch self {
        case .badGracePeriod(let ms): return "gracePeriod must be from 1s to 24h, not \(ms) ms"
        case .badPrefix(let prefix):
            return "sharedStorage prefixes must be absolute paths without '..' or control characters, such as /var/lib/shared/, not \"\(ParameterSpec.shown(prefix))\""
        case .badAntiAffinitySet(let set): return "each antiAffinity set needs 2 to \(FailoverSettings.maxSetSize) different VM ids, not \(set)"
        case .tooMany(let field, let limit): return "\(field) takes at most \(limit) entries"
        case .notMembers(let ids): return "antiAffinity names VMs that are not members of the group: \(ids.joined(separator: ", "))"
        }
    }
}
