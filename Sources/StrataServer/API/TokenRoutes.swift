import Foundation
import Hummingbird
import StrataAPI
import StrataCatalog

/// `/api/v1/tokens`: admins list, create (shown once) and revoke API tokens and agent enrollment tokens.
/// A token's scopes narrow its owner's role; they can never widen it.
struct TokenRoutes {
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("tokens", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            let tokens = try await catalog.tokens(tenantID: principal.tenantID, kinds: [.api, .enrollment, .agent], userID: nil)
            return try Envelope.success(tokens.map(API.Token.init))
        }
        group.post("tokens", .permission(.administer)) { request, context in try await create(request, context) }
        group.delete("tokens/:id", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            guard let id = context.parameters.get("id").flatMap(Int64.init) else { throw APIError.badData("token id must be a number") }
            let now = Time.nowMs()
            guard let token = try await catalog.revokeToken(tenantID: principal.tenantID, id: id, userID: nil, nowMs: now) else {
                throw APIError.notFound("no token \(id)")
            }
            await audit.record(principal, "token.revoke", target: "token:\(id)", detail: "\(token.kind.rawValue) \(token.name)",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.Token(token))
        }
    }

    func create(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await StrictJSON.decode(API.TokenRequest.self, from: request, allowedFields: ["name", "kind", "expiresInDays", "scopes"],
                                               limit: maxJSONBytes,
                                               example: #"{"name": "ci", "kind": "api", "expiresInDays": 30, "scopes": ["read"]}"#)
        // "agent" is the name the first release used for enrollment tokens.
        let kindText = body.kind == "agent" ? "enrollment" : (body.kind ?? "api")
        guard let kind = TokenKind(rawValue: kindText), kind == .api || kind == .enrollment else {
            throw APIError.badData("kind must be \"api\" or \"enrollment\"")
        }
        guard !body.name.isEmpty, body.name.count <= 200 else { throw APIError.badData("name must be 1 to 200 characters") }
        if let days = body.expiresInDays, !(1...3650).contains(days) {
            throw APIError.badData("expiresInDays must be 1 to 3650")
        }
        var scopes: Set<Permission> = []
        for text in body.scopes ?? [] {
            guard let scope = Permission(rawValue: text) else {
                throw APIError.badData("unknown scope \"\(text)\"; one of \(Permission.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard principal.may(scope) else { throw APIError.forbidden("a token cannot have scope \"\(text)\", which you do not hold") }
            scopes.insert(scope)
        }
        guard kind == .api || scopes.isEmpty else { throw APIError.badData("scopes apply to API tokens only") }
        // A token made by a token may only narrow it: without scopes it gets exactly its creator's permissions
        // (never the whole role), and it expires no later than its creator.
        if kind == .api, scopes.isEmpty, !principal.scopes.isEmpty { scopes = principal.permissions }
        let token = Secrets.newToken(prefix: kind == .api ? "sk" : "sat")
        let now = Time.nowMs()
        var expires = body.expiresInDays.map { now + Int64($0) * 86_400_000 }
        if principal.kind == .apiToken, let limit = principal.expiresMs { expires = min(expires ?? limit, limit) }
        let id = try await catalog.createToken(NewToken(tenantID: principal.tenantID, userID: kind == .api ? principal.userID : nil,
                                                        kind: kind, name: body.name, tokenHash: Secrets.hashToken(token),
                                                        scopes: scopes, expiresMs: expires), nowMs: now)
        await audit.record(principal, "token.create", target: "token:\(id)", detail: "\(kind.rawValue) \(body.name)",
                           remote: context.remoteAddress, nowMs: now)
        return try Envelope.success(API.CreatedToken(id: id, kind: kind.rawValue, name: body.name, token: token, scopes: scopes.map(\.rawValue).sorted(),
                                                     expiresMs: expires), status: .created)
    }
}
