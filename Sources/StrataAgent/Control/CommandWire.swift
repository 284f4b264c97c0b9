import StrataControl
import StrataCore

/// A command as fetched from the server, before any check: the command the signature should cover, or why it
/// could not even be read (then it is refused with that reason).
struct FetchedCommand: Sendable {
    /// The command's id (checked by `CommandJournal.isValidID`).
    var id: String
    /// The command and its signature, or why the entry is malformed.
    var content: Result<SignedCommand, CommandRefusal>
}

/// A command with the signature the server gave it.
struct SignedCommand: Sendable, Equatable {
    var command: ControlCommand
    /// Lower-case hex HMAC-SHA256 (see `ControlCommand.signature(key:)`).
    var signature: String

    static func == (lhs: SignedCommand, rhs: SignedCommand) -> Bool {
        lhs.command == rhs.command && lhs.signature == rhs.signature
    }
}

/// Why the agent will not run a command: the `message` of its `refused` report.
struct CommandRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The JSON of the command channel (docs/protocol.md, "Commands (control)"), read with StrataCore's
/// `PropertyValue` JSON reader.
enum CommandWire {
    /// Why a fetch answer cannot be read at all.
    struct AnswerError: Error, Sendable, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The commands of a `GET /api/agent/v1/commands` answer, `{"commands": [...]}` (also accepted inside the API
    /// envelope's `data`), for the agent `agentID`. Entries without a usable id are left out (they cannot be
    /// reported); entries with one but other fields missing or mistyped come back as refusals.
    static func commands(in body: [UInt8], agentID: String) throws(AnswerError) -> [FetchedCommand] {
        try answer(in: body, agentID: agentID).commands
    }

    /// The commands and the live window (`live`, docs/protocol.md "Live mode"; nil when absent) of a fetch answer.
    static func answer(in body: [UInt8], agentID: String) throws(AnswerError) -> (commands: [FetchedCommand], live: LiveOrder?) {
        let value: PropertyValue
        do { value = try PropertyValue(json: String(decoding: body, as: UTF8.self)) } catch { throw AnswerError(description: "\(error)") }
        let data = member("commands", of: value) == nil ? member("data", of: value) ?? value : value
        guard case .list(let items)? = member("commands", of: data) else { throw AnswerError(description: "no \"commands\" list in the answer") }
        let commands: [FetchedCommand] = items.compactMap { item in
            guard case .string(let id)? = member("id", of: item), CommandJournal.isValidID(id) else { return nil }
            return FetchedCommand(id: id, content: Result { () throws(CommandRefusal) in try command(item, id: id, agentID: agentID) })
        }
        return (commands, LiveOrder.read(member("live", of: data)))
    }

    /// One command entry.
    static func command(_ item: PropertyValue, id: String, agentID: String) throws(CommandRefusal) -> SignedCommand {
        func text(_ name: String) throws(CommandRefusal) -> String {
            guard case .string(let value)? = member(name, of: item) else { throw CommandRefusal("malformed command: \(name) missing or not a string") }
            return value
        }
        func number(_ name: String) throws(CommandRefusal) -> Int64 {
            guard case .int(let value)? = member(name, of: item) else { throw CommandRefusal("malformed command: \(name) missing or not a whole number") }
            return value
        }
        let kindName = try text("resourceKind")
        guard let kind = ResourceKind(rawValue: kindName) else { throw CommandRefusal("unknown resource kind \"\(kindName.prefix(64))\"") }
        var parameters: [(name: String, value: String)] = []
        switch member("parameters", of: item) {
        case nil: break
        case .map(let entries)?:
            for (name, value) in entries {
                guard case .string(let text) = value else { throw CommandRefusal("malformed command: parameter \(name.prefix(64)) is not a string") }
                guard !parameters.contains(where: { $0.name == name }) else { throw CommandRefusal("malformed command: parameter \(name.prefix(64)) given twice") }
                parameters.append((name, text))
            }
        default: throw CommandRefusal("malformed command: parameters is not an object")
        }
        let command = ControlCommand(id: id, agentID: agentID, resourceKind: kind, resourceKey: try text("resourceKey"), action: try text("action"),
                                     parameters: parameters, issuedMs: try number("issuedMs"), deadlineMs: try number("deadlineMs"))
        return SignedCommand(command: command, signature: try text("signature"))
    }

    /// The member `name` of an object, nil for anything else.
    static func member(_ name: String, of value: PropertyValue) -> PropertyValue? {
        guard case .map(let entries) = value else { return nil }
        return entries.first { $0.key == name }?.value
    }
}

/// One report on a command (`POST /api/agent/v1/commands/{id}`): its new state and, with a result, the exit status,
/// output, duration and a message. Absent fields are left out of the JSON.
struct CommandReport: Sendable, Equatable {
    var state: CommandState
    var exitStatus: Int32?
    var stdout: String?
    var stderr: String?
    var durationMs: Int64?
    var message: String?

    /// The most of stdout or stderr a report carries, in UTF-8 bytes.
    static let maxOutputBytes = 64 << 10

    init(_ state: CommandState, exitStatus: Int32? = nil, stdout: String? = nil, stderr: String? = nil, durationMs: Int64? = nil,
         message: String? = nil) {
        self.state = state
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.durationMs = durationMs
        self.message = message
    }

    /// Whether this report ends the command (its last report).
    var isFinal: Bool { state.isFinal }

    /// The JSON body.
    var json: String {
        var out = "{\"state\":"
        JSONText.appendQuoted(state.rawValue, to: &out)
        if let exitStatus { out += ",\"exitStatus\":\(exitStatus)" }
        for (name, value) in [("stdout", stdout), ("stderr", stderr), ("message", message)] {
            guard let value else { continue }
            out += ",\"\(name)\":"
            JSONText.appendQuoted(value, to: &out)
        }
        if let durationMs { out += ",\"durationMs\":\(durationMs)" }
        return out + "}"
    }

    /// `bytes` as text for a report: invalid UTF-8 repaired, then cut at the end to at most `maxOutputBytes` bytes on
    /// a character boundary.
    static func clipped(_ bytes: [UInt8], maxBytes: Int = maxOutputBytes) -> String {
        let text = String(decoding: bytes.prefix(maxBytes + 4), as: UTF8.self)
        guard text.utf8.count > maxBytes else { return text }
        var kept = String.UnicodeScalarView()
        var size = 0
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            if size + length > maxBytes { break }
            size += length
            kept.append(scalar)
        }
        return String(kept)
    }
}
