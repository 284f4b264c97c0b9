import Hummingbird
import StrataAPI
import StrataCatalog

/// Resource groups and per-group roles:
/// `GET/POST /api/v1/groups`, `GET /api/v1/groups/{id}`, `PUT /api/v1/groups/{id}/members`;
/// `GET /api/v1/users/{id}/grants`, `PUT|DELETE /api/v1/users/{id}/grants/{group}`;
/// `GET /api/v1/resources/{id}/permissions` — what the caller may do on one resource, and why.
struct GroupRoutes {
    let catalog: any Catalog
    let audit: AuditTrail
    let authorizer: Authorizer
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("groups", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let groups = try await catalog.resources(tenantID: principal.tenantID, query: ResourceQuery(kind: .group))
            return try Envelope.success(groups.map(API.Resource.init))
        }
        group.get("groups/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let members = try await catalog.groupMembers(tenantID: principal.tenantID, groupID: id),
                  let resource = try await catalog.resource(tenantID: principal.tenantID, id: id) else {
                throw APIError.notFound("no group \(id) in this tenant")
            }
            return try Envelope.success(API.Group(group: API.Resource(resource), members: members))
        }
        group.post("groups", .permission(.manage)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.GroupRequest.self, from: request, allowedFields: ["name", "members"], limit: maxJSONBytes,
                                                   example: #"{"name": "web tier", "members": ["<resource id>"]}"#)
            guard let name = body.name, (1...200).contains(name.count) else { throw APIError.badData("name must be 1 to 200 characters") }
            let now = Time.nowMs()
            let created: ResourceRecord
            do {
                created = try await catalog.createGroup(tenantID: principal.tenantID, name: name, members: body.members, nowMs: now)
            } catch let error as AccessError {
                throw APIError.conflict(error.description)
            } catch let error as GroupError {
                throw APIError.badData(error.description)
            }
            await audit.record(principal, "group.create", target: "group:\(created.id)", detail: "\(name), \(body.members.count) members",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.Resource(created), status: .created)
        }
        group.put("groups/:id/members", .permission(.manage)) { request, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let body = try await StrictJSON.decode(API.GroupRequest.self, from: request, allowedFields: ["members"], limit: maxJSONBytes,
                                                   example: #"{"members": ["<resource id>"]}"#)
            let now = Time.nowMs()
            let members: [String]?
            do {
                members = try await catalog.setGroupMembers(tenantID: principal.tenantID, groupID: id, members: body.members, nowMs: now)
            } catch let error as GroupError {
                throw APIError.badData(error.description)
            }
            guard let members else { throw APIError.notFound("no group \(id) in this tenant") }
            await audit.record(principal, "group.members", target: "group:\(id)", detail: "\(members.count) members",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.Members(members: members))
        }
        group.get("users/:id/grants", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            let grants = try await catalog.grants(tenantID: principal.tenantID, userID: try UserRoutes.userID(context))
            return try Envelope.success(grants.map(API.Grant.init))
        }
        group.put("users/:id/grants/:group", .permission(.administer)) { request, context in
            let principal = try context.requirePrincipal()
            let userID = try UserRoutes.userID(context)
            let groupID = context.parameters.get("group") ?? ""
            let body = try await StrictJSON.decode(API.GrantRequest.self, from: request, allowedFields: ["role"], limit: maxJSONBytes,
                                                   example: #"{"role": "operator"}"#)
            let role = try Validation.role(body.role)
            guard principal.holdsAll(of: role) else {
                throw APIError.forbidden("a grant of role \(role.rawValue) would hold permissions this credential does not")
            }
            let now = Time.nowMs()
            guard try await catalog.grant(tenantID: principal.tenantID, userID: userID, groupID: groupID, role: role, nowMs: now) else {
                throw APIError.notFound("no user \(userID) or group \(groupID) in this tenant")
            }
            await audit.record(principal, "grant.set", target: "user:\(userID)", detail: "\(role.rawValue) on group \(groupID)",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.Grant(groupId: groupID, role: role.rawValue))
        }
        group.delete("users/:id/grants/:group", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            let userID = try UserRoutes.userID(context)
            let groupID = context.parameters.get("group") ?? ""
            guard try await catalog.revokeGrant(tenantID: principal.tenantID, userID: userID, groupID: groupID) else {
                throw APIError.notFound("user \(userID) has no grant on group \(groupID)")
            }
            await audit.record(principal, "grant.revoke", target: "user:\(userID)", detail: "group \(groupID)",
                               remote: context.remoteAddress, nowMs: Time.nowMs())
            return try Envelope.success(API.RevokedGrant(groupId: groupID))
        }
        group.get("resources/:id/permissions", .onResource(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.resource(tenantID: principal.tenantID, id: id) != nil else {
                throw APIError.notFound("no resource \(id) in this tenant")
            }
            let (permissions, via) = try await authorizer.permissions(principal, on: id)
            return try Envelope.success(API.ResourcePermissions(resourceId: id, permissions: permissions.map(\.rawValue).sorted(),
                                                                grants: via.map(API.Grant.init)))
        }
    }

}
