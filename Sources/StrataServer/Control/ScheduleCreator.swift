import StrataAPI
import StrataCatalog

/// Who saved a schedule, by id: the user and, when they used an API token, that token (a password or a session
/// stands for the user alone, so a schedule outlives the session it was made in). A schedule runs on this authority:
/// at each firing the user must still be enabled, the token unrevoked and unexpired, and what they hold — the role,
/// narrowed by the token's scopes — must still give `control`, as the group-run route requires.
struct ScheduleCreator: Codable, Sendable, Equatable {
    var userId: Int64
    var tokenId: Int64?

    /// The creator of a schedule saved by `principal` (nil for one without a user, which the routes never let in).
    init?(_ principal: Principal) {
        guard let userID = principal.userID else { return nil }
        userId = userID
        tokenId = principal.kind == .apiToken ? principal.tokenID : nil
    }

    init(userId: Int64, tokenId: Int64?) {
        self.userId = userId
        self.tokenId = tokenId
    }

    /// Why the schedule's creator may no longer run it (nil: they may). A schedule stored without a creator is
    /// traced by its `createdBy` (a user name, or `token:NAME`).
    static func denial(of stored: StoredSchedule, tenantID: String, catalog: any Catalog, nowMs: Int64) async throws -> String? {
        let createdBy = stored.schedule.createdBy
        let users = try await catalog.users(tenantID: tenantID)
        var token: TokenRecord?
        let user: UserRecord?
        if let creator = stored.creator {
            user = users.first { $0.id == creator.userId }
            if let id = creator.tokenId {
                token = try await catalog.tokens(tenantID: tenantID, kinds: [.api], userID: creator.userId).first { $0.id == id }
                guard token != nil else { return "its creator's token (\(createdBy)) no longer exists" }
            }
        } else if createdBy.hasPrefix("token:") {
            let name = String(createdBy.dropFirst("token:".count))
            let named = try await catalog.tokens(tenantID: tenantID, kinds: [.api], userID: nil).filter { $0.name == name }
            token = named.first { $0.revokedMs == nil && ($0.expiresMs ?? .max) > nowMs } ?? named.first
            guard let found = token else { return "its creator's token (\(createdBy)) no longer exists" }
            user = users.first { $0.id == found.userID }
        } else {
            user = users.first { $0.username == createdBy }
        }
        guard let user else { return "its creator \(createdBy) no longer exists" }
        guard user.disabledMs == nil else { return "its creator \(user.username) is disabled" }
        if let token {
            if token.revokedMs != nil { return "its creator's token \(token.name) is revoked" }
            if let expires = token.expiresMs, expires <= nowMs { return "its creator's token \(token.name) has expired" }
        }
        let principal = Principal(tenantID: tenantID, userID: user.id, name: token?.name ?? user.username, role: user.role,
                                  kind: token == nil ? .password : .apiToken, tokenID: token?.id, scopes: token?.scopes ?? [])
        return principal.denial(.control).map { "its creator \(user.username) may no longer control: \($0)" }
    }
}
