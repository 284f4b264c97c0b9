import Foundation
import Hummingbird
import StrataCatalog

/// `POST /api/v1/tokens`: an admin creates a bearer API token (shown once) or an agent enrollment token.
struct TokenRoutes {
    let catalog: any Catalog
    let maxJSONBytes: Int

    struct CreateRequest: Decodable {
        var name: String
        var kind: String?
        var expiresInDays: Int?
    }

    func register(on group: RouterGroup<StrataRequestContext>) {
        group.post("tokens") { request, context in
            let principal = try context.requirePrincipal()
            guard principal.role == "admin" else { throw APIError.forbidden("only an admin may create tokens") }
            let body = try await StrictJSON.decode(CreateRequest.self, from: request, allowedFields: ["name", "kind", "expiresInDays"],
                                                   limit: maxJSONBytes, example: #"{"name": "ci", "kind": "api", "expiresInDays": 30}"#)
            let kind = body.kind ?? "api"
            guard kind == "api" || kind == "agent" else { throw APIError.badData("kind must be \"api\" or \"agent\"") }
            guard !body.name.isEmpty, body.name.count <= 200 else { throw APIError.badData("name must be 1 to 200 characters") }
            if let days = body.expiresInDays, !(1...3650).contains(days) {
                throw APIError.badData("expiresInDays must be 1 to 3650")
            }
            let token = Secrets.newToken(prefix: kind == "api" ? "sk" : "sat")
            let now = Time.nowMs()
            let expires = body.expiresInDays.map { now + Int64($0) * 86_400_000 }
            let id = try await catalog.createToken(tenantID: principal.tenantID, userID: kind == "api" ? principal.userID : nil,
                                                   kind: kind, name: body.name, tokenHash: Secrets.hashToken(token),
                                                   expiresMs: expires, nowMs: now)
            return Envelope.success(["id": .int(id), "kind": .string(kind), "name": .string(body.name), "token": .string(token),
                                     "expiresMs": expires.map(JSON.int) ?? .null], status: .created)
        }
    }
}
