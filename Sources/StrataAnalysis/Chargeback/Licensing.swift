/// Licensing counts over a period: how many instances of each server type (e.g. Tomcat) ran at once at the peak,
/// overall, per host and per VM, following VMs across relocations through their placement history.
public enum Licensing {
    /// One instance's lifetime (`to` exclusive, ms) and where it ran: in a VM, or directly on a host.
    public struct Instance: Sendable, Hashable {
        /// The instance's id and type ("tomcat").
        public var id: String, type: String
        /// The VM it runs in, or the host it runs on when not virtualised.
        public var vmID: String?, hostID: String?
        /// Its lifetime.
        public var from: Int64, to: Int64

        /// Creates an instance.
        public init(id: String, type: String, vmID: String? = nil, hostID: String? = nil, from: Int64, to: Int64) {
            self.id = id
            self.type = type
            self.vmID = vmID
            self.hostID = hostID
            self.from = from
            self.to = to
        }
    }

    /// A VM's stay on a host (`to` exclusive, ms).
    public struct Placement: Sendable, Hashable {
        /// The VM and the host.
        public var vmID: String, hostID: String
        /// The stay.
        public var from: Int64, to: Int64

        /// Creates a placement.
        public init(vmID: String, hostID: String, from: Int64, to: Int64) {
            self.vmID = vmID
            self.hostID = hostID
            self.from = from
            self.to = to
        }
    }

    /// The peak of one type in one scope.
    public struct Peak: Sendable, Hashable, Codable {
        /// "all", a host's id or a VM's id, and the type.
        public var scope: String, type: String
        /// Most instances at once, and the first time that many ran.
        public var peak: Int, at: Int64
        /// Distinct instances that ran in the period.
        public var distinct: Int
    }

    /// The counts.
    public struct Report: Sendable, Hashable, Codable {
        /// Per type overall, per host and type, per VM and type; each sorted by scope then type.
        public var overall: [Peak], hosts: [Peak], vms: [Peak]
    }

    /// The counts over `from ..< to`. An instance in a VM counts on the host its VM was placed on at each moment;
    /// while its VM has no placement it counts overall and for the VM only.
    public static func count(_ instances: [Instance], placements: [Placement], from: Int64, to: Int64) throws(InsufficientData) -> Report {
        guard to > from else { throw InsufficientData("the period is empty: it must end after it starts") }
        var overall: [String: [Piece]] = [:], hosts: [String: [Piece]] = [:], vms: [String: [Piece]] = [:]
        let stays = Dictionary(grouping: placements, by: \.vmID)
        for instance in instances {
            let start = max(instance.from, from), end = min(instance.to, to)
            guard end > start else { continue }
            let piece = Piece(id: instance.id, from: start, to: end)
            overall[instance.type, default: []].append(piece)
            if let vm = instance.vmID {
                vms["\(vm)\u{1F}\(instance.type)", default: []].append(piece)
                for stay in stays[vm] ?? [] {
                    let s = max(start, stay.from), e = min(end, stay.to)
                    if e > s { hosts["\(stay.hostID)\u{1F}\(instance.type)", default: []].append(Piece(id: instance.id, from: s, to: e)) }
                }
            } else if let host = instance.hostID {
                hosts["\(host)\u{1F}\(instance.type)", default: []].append(piece)
            }
        }
        func peaks(_ groups: [String: [Piece]], scoped: Bool) -> [Peak] {
            groups.map { key, pieces in
                let parts = key.split(separator: "\u{1F}", maxSplits: 1).map(String.init)
                let (peak, at) = sweep(pieces)
                return Peak(scope: scoped ? parts[0] : "all", type: scoped ? parts[1] : key, peak: peak, at: at,
                            distinct: Set(pieces.map(\.id)).count)
            }.sorted { ($0.scope, $0.type) < ($1.scope, $1.type) }
        }
        return Report(overall: peaks(overall, scoped: false), hosts: peaks(hosts, scoped: true), vms: peaks(vms, scoped: true))
    }

    /// A stretch of one instance in one scope.
    struct Piece: Hashable {
        var id: String, from: Int64, to: Int64
    }

    /// Most distinct instances active at once (half-open stretches; an instance's own touching stretches — a VM
    /// moving between hosts — count once) and the first time it happened.
    static func sweep(_ pieces: [Piece]) -> (Int, Int64) {
        // Merge each instance's touching or overlapping stretches first.
        var merged: [Piece] = []
        for (_, own) in Dictionary(grouping: pieces, by: \.id) {
            for piece in own.sorted(by: { $0.from < $1.from }) {
                if let last = merged.last, last.id == piece.id, piece.from <= last.to {
                    merged[merged.count - 1].to = max(last.to, piece.to)
                } else {
                    merged.append(piece)
                }
            }
        }
        // Ends before starts at the same time: half-open intervals.
        var events: [(time: Int64, delta: Int)] = []
        for piece in merged {
            events.append((piece.from, 1))
            events.append((piece.to, -1))
        }
        events.sort { $0.time != $1.time ? $0.time < $1.time : $0.delta < $1.delta }
        var current = 0, best = 0, at = events.first?.time ?? 0
        for (time, delta) in events {
            current += delta
            if current > best { best = current; at = time }
        }
        return (best, at)
    }
}
