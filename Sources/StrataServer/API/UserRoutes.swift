import Hummingbird
import StrataAPI
import StrataCatalog

/// `/api/v1/users`: a tenant's admins list, create and change users (role, password, disabled).
/// A new password or disabling revokes the user's tokens and sessions at once.
struct UserRoutes {
    let catalog: any Catalog
    let audit: AuditTrail
    let authenticator: Authenticator
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("users", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            return try Envelope.success(try await catalog.users(tenantID: principal.tenantID).map(API.User.init))
        }
        group.post("users", .permission(.administer)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.UserRequest.self, from: request, allowedFields: ["username", "password", "role"],
                                                   limit: maxJSONBytes,
                                                   example: #"{"username": "ana", "password": "at least 10 characters", "role": "viewer"}"#)
            let username = try Validation.username(body.username)
            let role = try Validation.role(body.role)
            guard principal.holdsAll(of: role) else {
                throw APIError.forbidden("a user with role \(role.rawValue) would hold permissions this credential does not")
            }
            let now = Time.nowMs()
            let user: UserRecord
            do {
                user = try await catalog.createUser(tenantID: principal.tenantID, username: username,
                                                    passwordHash: Secrets.hashPassword(try Validation.password(body.password)),
                                                    role: role, nowMs: now)
            } catch let error as AccessError {
                throw APIError.conflict(error.description)
            }
            await audit.record(principal, "user.create", target: "user:\(username)", detail: "role \(role.rawValue)",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.User(user), status: .created)
        }
        group.patch("users/:id", .permission(.administer)) { request, context in try await update(request, context) }
    }

    func update(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try Self.userID(context)
        let body = try await StrictJSON.decode(API.UserUpdate.self, from: request, allowedFields: ["role", "password", "disabled"],
                                               limit: maxJSONBytes, example: #"{"role": "operator"}"#)
        let role = try body.role.map(Validation.role)
        if id == principal.userID, (role.map { $0 != .admin } ?? false) || body.disabled == true {
            throw APIError.conflict("you cannot demote or disable yourself; ask another admin")
        }
        if let role, !principal.holdsAll(of: role) {
            throw APIError.forbidden("role \(role.rawValue) holds permissions this credential does not")
        }
        guard let target = try await catalog.users(tenantID: principal.tenantID).first(where: { $0.id == id }) else {
            throw APIError.notFound("no user \(id)")
        }
        guard principal.holdsAll(of: target.role) else {
            throw APIError.forbidden("user \(target.username) holds permissions this credential does not; it cannot change them")
        }
        let hash = try body.password.map { Secrets.hashPassword(try Validation.password($0)) }
        let now = Time.nowMs()
        guard let user = try await catalog.updateUser(tenantID: principal.tenantID, id: id, role: role, passwordHash: hash,
                                                      disabled: body.disabled, nowMs: now) else {
            throw APIError.notFound("no user \(id)")
        }
        authenticator.forgetCachedLogins()
        var changes: [String] = []
        if let role { changes.append("role \(role.rawValue)") }
        if hash != nil { changes.append("password changed") }
        if let disabled = body.disabled { changes.append(disabled ? "disabled" : "enabled") }
        await audit.record(principal, "user.update", target: "user:\(user.username)", detail: changes.joined(separator: ", "),
                           remote: context.remoteAddress, nowMs: now)
        return try Envelope.success(API.User(user))
    }

    /// The `:id` path parameter as a user id.
    static func userID(_ context: StrataRequestContext) throws -> Int64 {
        guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.badData("user id must be a number") }
        return id
    }
}
