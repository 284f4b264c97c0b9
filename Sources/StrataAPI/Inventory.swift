import StrataCore
import StrataInventory

extension API {
    /// A resource of the inventory (`GET /api/v1/resources`).
    public struct Resource: Codable, Sendable, Equatable {
        public var id: String
        public var kind: ResourceKind
        public var name: String
        public var parentId: String?
        public var naturalKey: String
        public var availability: Availability
        public var approval: Approval
        public var properties: PropertyValue
        public var createdMs: Int64
        public var updatedMs: Int64
        /// When it was removed (by a user or by retirement); absent while it is listed.
        public var removedMs: Int64?

        public init(id: String, kind: ResourceKind, name: String, parentId: String?, naturalKey: String, availability: Availability,
                    approval: Approval, properties: PropertyValue, createdMs: Int64, updatedMs: Int64, removedMs: Int64? = nil) {
            self.id = id
            self.kind = kind
            self.name = name
            self.parentId = parentId
            self.naturalKey = naturalKey
            self.availability = availability
            self.approval = approval
            self.properties = properties
            self.createdMs = createdMs
            self.updatedMs = updatedMs
            self.removedMs = removedMs
        }
    }

    /// Counts of the inventory (`GET /api/v1/inventory/summary`): for each kind (`host`, `guest`, `hypervisor`, `vm`,
    /// `server`, `service`, `container`, …), how many approved resources have each availability.
    public struct InventorySummary: Codable, Sendable, Equatable {
        public var kinds: [String: [String: Int]]

        public init(kinds: [String: [String: Int]]) {
            self.kinds = kinds
        }
    }

    /// What `DELETE /api/v1/resources/{id}` did.
    public struct Removal: Codable, Sendable, Equatable {
        /// The resource and everything below it, parents first.
        public var removed: [String]
        /// `kept` (hidden from lists, reachable by id, back if an agent reports it again) or `purged`.
        public var history: String

        public init(removed: [String], history: String) {
            self.removed = removed
            self.history = history
        }
    }

    /// One resource with its stack (`GET /api/v1/resources/{id}`): the resource's fields, its parents from the
    /// top, its children and its relations.
    public struct ResourceDetail: Codable, Sendable, Equatable {
        public var resource: Resource
        public var parents: [Resource]
        public var children: [Resource]
        public var relations: [Relation]

        public init(resource: Resource, parents: [Resource], children: [Resource], relations: [Relation]) {
            self.resource = resource
            self.parents = parents
            self.children = children
            self.relations = relations
        }

        enum CodingKeys: String, CodingKey { case parents, children, relations }

        public init(from decoder: any Decoder) throws {
            resource = try Resource(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            parents = try container.decode([Resource].self, forKey: .parents)
            children = try container.decode([Resource].self, forKey: .children)
            relations = try container.decode([Relation].self, forKey: .relations)
        }

        public func encode(to encoder: any Encoder) throws {
            try resource.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(parents, forKey: .parents)
            try container.encode(children, forKey: .children)
            try container.encode(relations, forKey: .relations)
        }
    }

    /// An edge from or to a resource, seen from that resource.
    public struct Relation: Codable, Sendable, Equatable {
        public var kind: RelationKind
        /// `out`: the resource depends on / runs in the other; `in`: the other on it.
        public var direction: String
        public var resourceId: String
        public var name: String?
        public var evidence: String
        public var active: Bool
        public var createdMs: Int64
        public var seenMs: Int64

        public init(kind: RelationKind, direction: String, resourceId: String, name: String?, evidence: String, active: Bool,
                    createdMs: Int64, seenMs: Int64) {
            self.kind = kind
            self.direction = direction
            self.resourceId = resourceId
            self.name = name
            self.evidence = evidence
            self.active = active
            self.createdMs = createdMs
            self.seenMs = seenMs
        }
    }

    /// A series of a resource (`GET /api/v1/resources/{id}/series`).
    public struct Series: Codable, Sendable, Equatable {
        public var id: StableID
        public var resourceId: String
        public var metric: String
        /// `gauge` or `counter`.
        public var type: String
        public var labels: LabelObject

        public init(id: StableID, resourceId: String, metric: String, type: String, labels: LabelObject) {
            self.id = id
            self.resourceId = resourceId
            self.metric = metric
            self.type = type
            self.labels = labels
        }
    }

    /// Where a VM ran (`GET /api/v1/placements`).
    public struct Placement: Codable, Sendable, Equatable {
        public var vmId: String
        public var vmName: String?
        public var hypervisorId: String
        public var hypervisorName: String?
        public var hostId: String?
        public var hostName: String?
        public var fromMs: Int64
        /// Nil while it is there.
        public var toMs: Int64?

        public init(vmId: String, vmName: String?, hypervisorId: String, hypervisorName: String?, hostId: String?, hostName: String?,
                    fromMs: Int64, toMs: Int64?) {
            self.vmId = vmId
            self.vmName = vmName
            self.hypervisorId = hypervisorId
            self.hypervisorName = hypervisorName
            self.hostId = hostId
            self.hostName = hostName
            self.fromMs = fromMs
            self.toMs = toMs
        }
    }

    /// A group with its members (`GET /api/v1/groups/{id}`).
    public struct Group: Codable, Sendable, Equatable {
        public var group: Resource
        public var members: [String]

        public init(group: Resource, members: [String]) {
            self.group = group
            self.members = members
        }
    }

    /// A group's members after a change.
    public struct Members: Codable, Sendable, Equatable {
        public var members: [String]
        public init(members: [String]) { self.members = members }
    }
}
