import StrataCore

/// What the agent keeps across restarts: its random id and the last sequence number it used.
///
/// Stored as two `key=value` lines in `DATA/agent.state`, replaced atomically before a batch with a new
/// sequence is spooled, so a sequence is never reused.
public struct AgentState: Sendable, Equatable {
    /// The agent's id, 32 hex digits, generated once.
    public var agentID: String
    /// The last sequence number given to a batch.
    public var lastSequence: UInt64

    /// Loads the state from `path`, or creates a fresh one with a random id.
    public static func load(path: String) -> AgentState {
        if let text = HostFS(root: "/").read(path) {
            let values = parseKeyValueFile(text)
            if let id = values["agent_id"], !id.isEmpty {
                return AgentState(agentID: id, lastSequence: UInt64(values["last_sequence"] ?? "") ?? 0)
            }
        }
        var generator = SystemRandomNumberGenerator()
        let id = (0..<2).map { _ in StableID(rawValue: generator.next()).description }.joined()
        return AgentState(agentID: id, lastSequence: 0)
    }

    /// Writes the state durably.
    public func save(path: String) throws(FileError) {
        let text = "agent_id=\(agentID)\nlast_sequence=\(lastSequence)\n"
        try FileIO.writeAtomically(Array(text.utf8), to: path)
    }
}
