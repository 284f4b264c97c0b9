import StrataAPI
import StrataCatalog
import StrataCore

/// The API shapes of the catalog's records: the one place a stored record becomes what clients see.
extension API.Resource {
    init(_ record: ResourceRecord) {
        self.init(id: record.id, kind: record.kind, name: record.name, parentId: record.parentID, naturalKey: record.naturalKey,
                  availability: record.availability, approval: record.approval,
                  properties: (try? PropertyValue(json: record.propertiesJSON)) ?? .map([]), createdMs: record.createdMs,
                  updatedMs: record.updatedMs, removedMs: record.removedMs)
    }
}

extension API.Series {
    init(_ record: SeriesRecord) {
        self.init(id: record.id, resourceId: record.resourceID, metric: record.metric, type: record.type.name,
                  labels: API.LabelObject(record.labels))
    }
}

extension API.Event {
    init(_ record: EventRecord) {
        self.init(id: record.id, resourceId: record.resourceID, timeMs: record.timeMs, kind: record.kind, severity: record.severity,
                  message: record.message, source: record.source)
    }
}

extension API.ConfigVersion {
    init(_ record: ConfigVersionRecord, content: String? = nil) {
        self.init(resourceId: record.resourceID, path: record.path, version: record.version, state: record.state, observedMs: record.observedMs,
                  added: record.added, removed: record.removed, hash: record.hash, content: content)
    }
}

extension API.Discovery {
    init(_ record: DiscoveryRecord, resource: ResourceRecord?) {
        self.init(id: record.id, resourceId: record.resourceID, resourceName: resource?.name, resourceKind: resource?.kind, change: record.change,
                  summary: record.summary, status: record.status, createdMs: record.createdMs, decidedMs: record.decidedMs,
                  decidedBy: record.decidedBy, agentId: record.agentID)
    }
}

extension API.Token {
    init(_ record: TokenRecord) {
        self.init(id: record.id, kind: record.kind.rawValue, name: record.name, userId: record.userID, scopes: record.scopes.map(\.rawValue).sorted(),
                  agentId: record.agentID, platformId: record.platformID, createdMs: record.createdMs, expiresMs: record.expiresMs,
                  revokedMs: record.revokedMs, lastUsedMs: record.lastUsedMs)
    }
}

extension API.User {
    init(_ record: UserRecord) {
        self.init(id: record.id, username: record.username, role: record.role.rawValue, createdMs: record.createdMs, disabledMs: record.disabledMs)
    }
}

extension API.Agent {
    init(_ record: AgentRecord) {
        self.init(id: record.id, platformId: record.platformID, lastSequence: Int64(clamping: record.lastSequence), intervalMs: record.intervalMs,
                  lastSeenMs: record.lastSeenMs, available: record.available, revokedMs: record.revokedMs)
    }
}

extension API.AuditRecord {
    init(_ record: AuditRecord) {
        self.init(id: record.id, timeMs: record.timeMs, actor: record.actor, action: record.action, target: record.target, outcome: record.outcome,
                  detail: record.detail, remote: record.remote)
    }
}

extension API.Grant {
    init(_ grant: GroupGrant) {
        self.init(groupId: grant.groupID, role: grant.role.rawValue)
    }
}
