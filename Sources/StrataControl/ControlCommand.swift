import StrataCore

/// A command as the server hands it to an agent: which of the agent's resources, which action, its checked
/// parameters, until when it may start, and a signature that binds all of it to the agent's credential — the
/// agent runs only what its own server issued for its own resources.
public struct ControlCommand: Sendable, Equatable {
    /// Unique; the agent runs each id at most once.
    public var id: String
    /// The agent it is for.
    public var agentID: String
    /// The resource as the agent reports it: kind and natural key.
    public var resourceKind: ResourceKind
    public var resourceKey: String
    public var action: String
    /// Checked parameters, sorted by name.
    public var parameters: [(name: String, value: String)]
    public var issuedMs: Int64
    /// After this, the agent refuses to start it (and the server marks it expired).
    public var deadlineMs: Int64

    /// A command.
    public init(id: String, agentID: String, resourceKind: ResourceKind, resourceKey: String, action: String,
                parameters: [(name: String, value: String)], issuedMs: Int64, deadlineMs: Int64) {
        self.id = id
        self.agentID = agentID
        self.resourceKind = resourceKind
        self.resourceKey = resourceKey
        self.action = action
        self.parameters = parameters.sorted { $0.name < $1.name }
        self.issuedMs = issuedMs
        self.deadlineMs = deadlineMs
    }

    public static func == (lhs: ControlCommand, rhs: ControlCommand) -> Bool { lhs.signingText == rhs.signingText }

    /// The text the signature covers: every field, each length-prefixed so no two commands share it.
    public var signingText: [UInt8] {
        var fields = ["strata-command-v1", id, agentID, resourceKind.rawValue, resourceKey, action, String(issuedMs), String(deadlineMs)]
        for parameter in parameters { fields += [parameter.name, parameter.value] }
        var bytes: [UInt8] = []
        for field in fields {
            bytes += Array(String(field.utf8.count).utf8) + [UInt8(ascii: ":")] + Array(field.utf8)
        }
        return bytes
    }

    /// The signature with `key` (the hex SHA-256 of the agent's credential, which the server keeps and the agent
    /// can compute), lower-case hex.
    public func signature(key: String) -> String {
        Hex.encode(Digest.hmacSHA256(key: Array(key.utf8), signingText))
    }

    /// Whether `signature` is this command's with `key`, compared in constant time.
    public func verify(_ signature: String, key: String) -> Bool {
        let expected = Array(self.signature(key: key).utf8)
        let given = Array(signature.utf8)
        guard expected.count == given.count else { return false }
        var difference: UInt8 = 0
        for index in expected.indices { difference |= expected[index] ^ given[index] }
        return difference == 0
    }

    /// The signing key of a credential: the lower-case hex SHA-256 of its text (what the server stores).
    public static func key(credential: String) -> String { Hex.encode(Digest.sha256(Array(credential.utf8))) }
}
