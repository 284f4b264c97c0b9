import Hummingbird
import StrataAPI
import StrataWire
import StrataCatalog
import StrataInventory

/// The discovery approval queue: `GET /api/v1/discoveries?status=pending`, `POST /api/v1/discoveries/{id}`
/// with `{"decision": "approve"|"ignore"|"defer"}` (acknowledge), and the tenant's policy
/// `GET|PUT /api/v1/discovery-policy` (`{"mode": "auto"|"rules"|"queue", "expected": [{"kind": "vm", "name": "crm-*"}]}`, manage).
struct DiscoveryRoutes {
    let catalog: any Catalog
    let events: EventSink
    let audit: AuditTrail
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("discoveries", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let statusText = QueryString(request)["status"]
            let status = statusText.flatMap(DiscoveryStatus.init(rawValue:))
            if statusText != nil, status == nil { throw APIError.badData("status must be pending, approved, ignored or deferred") }
            let limit = try QueryString(request).limit(default: 100)
            var rows: [API.Discovery] = []
            for record in try await catalog.discoveries(tenantID: principal.tenantID, status: status, limit: limit) {
                rows.append(API.Discovery(record, resource: try await catalog.resource(tenantID: principal.tenantID, id: record.resourceID)))
            }
            return try Envelope.success(rows)
        }
        group.post("discoveries/:id", .permission(.acknowledge)) { request, context in
            let principal = try context.requirePrincipal()
            let text = context.parameters.get("id") ?? ""
            guard let id = Int64(text) else { throw APIError.badData("discovery id must be a number, not \"\(text)\"") }
            let body = try await StrictJSON.decode(API.DiscoveryDecision.self, from: request, allowedFields: ["decision"], limit: maxJSONBytes,
                                                   example: #"{"decision": "approve"}"#)
            guard let status = DiscoveryStatus(decision: body.decision) else { throw APIError.badData("decision must be approve, ignore or defer") }
            // Handing a platform to another agent is an admin's decision, not an operator's acknowledgement.
            if try await catalog.discovery(tenantID: principal.tenantID, id: id)?.change == .enrollment, !principal.may(.administer) {
                throw APIError.forbidden("approving an agent's enrollment for a platform another agent reports needs \"administer\"")
            }
            let now = Time.nowMs()
            guard let (record, decided) = try await catalog.decideDiscovery(tenantID: principal.tenantID, id: id, status: status,
                                                                      by: principal.auditActor, nowMs: now) else {
                throw APIError.notFound("no discovery \(id) in this tenant")
            }
            events.emit(decided)
            await audit.record(principal, "discovery.\(body.decision)", target: "resource:\(record.resourceID)", detail: record.summary,
                               remote: context.remoteAddress, nowMs: now)
            let resource = try await catalog.resource(tenantID: principal.tenantID, id: record.resourceID)
            return try Envelope.success(API.Discovery(record, resource: resource))
        }
        group.get("discovery-policy", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            return try Envelope.success(try await catalog.discoveryPolicy(tenantID: principal.tenantID))
        }
        group.put("discovery-policy", .permission(.manage)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.DiscoveryPolicyRequest.self, from: request, allowedFields: ["mode", "expected"], limit: maxJSONBytes,
                                                   example: #"{"mode": "rules", "expected": [{"kind": "vm", "name": "crm-*"}]}"#)
            let expected = body.expected ?? []
            guard expected.count <= 1000, expected.allSatisfy({ (1...200).contains($0.name.count) }) else {
                throw APIError.badData("expected: at most 1000 rules, each name glob 1 to 200 characters")
            }
            let now = Time.nowMs()
            let policy = DiscoveryPolicy(mode: body.mode, expected: expected, updatedMs: now)
            try await catalog.setDiscoveryPolicy(tenantID: principal.tenantID, policy: policy)
            await audit.record(principal, "discovery.policy", target: "tenant:\(principal.tenantID)",
                               detail: "\(body.mode.rawValue), \(expected.count) expected rules", remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(policy)
        }
    }
}
