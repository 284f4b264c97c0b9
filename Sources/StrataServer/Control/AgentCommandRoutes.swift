import Foundation
import Hummingbird
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore
import ServiceLifecycle
import StrataWire

/// The agent's side of the command channel (docs/protocol.md "Commands"): a long poll for its commands and its
/// reports on them, with the agent's credential; each final report is an audit record.
struct AgentCommandRoutes {
    let control: ControlService
    let audit: AuditTrail
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("commands", .agentCredential) { request, context in
            let principal = try context.requirePrincipal()
            guard let agentID = principal.agentID else { throw APIError.forbidden("only an agent credential fetches commands") }
            let waitMs = try QueryString(request).integer("waitMs", in: 0...ControlService.maxWaitMs, meaning: "how long to wait for a command, in ms") ?? 0
            let answer = try await control.fetch(agentID: agentID, waitMs: waitMs)
            var list: [JSON] = []
            for (record, signature) in answer.commands {
                let wire = ControlService.wire(record)
                list.append(.object([
                    ("id", .string(wire.id)), ("resourceKind", .string(wire.resourceKind.rawValue)), ("resourceKey", .string(wire.resourceKey)),
                    ("action", .string(wire.action)), ("parameters", .object(wire.parameters.map { ($0.name, JSON.string($0.value)) })),
                    ("issuedMs", .int(wire.issuedMs)), ("deadlineMs", .int(wire.deadlineMs)), ("signature", .string(signature)),
                ]))
            }
            var fields: [(String, JSON)] = [("commands", .array(list))]
            if let live = answer.live {
                fields.append(("live", .object([("intervalMs", .int(live.intervalMs)), ("untilMs", .int(live.untilMs)), ("forMs", .int(live.forMs))])))
            }
            return Envelope.success(.object(fields))
        }
        group.post("commands/:id", .agentCredential) { request, context in
            let principal = try context.requirePrincipal()
            guard let agentID = principal.agentID else { throw APIError.forbidden("only an agent credential reports on commands") }
            let id = context.parameters.get("id") ?? ""
            var report = try await StrictJSON.decode(CommandReport.self, from: request,
                                                   allowedFields: ["state", "exitStatus", "stdout", "stderr", "durationMs", "message"],
                                                   limit: max(maxJSONBytes, 512 << 10), example: #"{"state": "succeeded", "exitStatus": 0}"#)
            guard let state = CommandState(rawValue: report.state), ![.queued, .delivered, .expired, .canceled].contains(state) else {
                throw APIError.badData("state must be accepted, running, succeeded, failed, refused or interrupted, not \"\(report.state)\"")
            }
            report.state = state.rawValue
            guard let result = try await control.report(agentID: agentID, id: id, report: report) else {
                throw APIError.notFound("no command \(id) for this agent")
            }
            guard result.record.state == state.rawValue else {
                throw APIError.conflict("command \(id) is \(result.record.state); it cannot become \(state.rawValue)")
            }
            if result.changed, state.isFinal {
                await audit.record(principal, "control.result", target: "resource:\(result.record.resourceID)",
                                   outcome: state == .succeeded ? "ok" : state.rawValue,
                                   detail: "\(id) \(result.record.action)\(result.record.exitStatus.map { " exit \($0)" } ?? "")",
                                   remote: context.remoteAddress, nowMs: Time.nowMs())
            }
            return Envelope.success(.object([("state", .string(result.record.state))]))
        }
    }
}

/// Expires control commands past their deadline and live watches past their end, once a second.
struct ControlExpiry: Service {
    let control: ControlService

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                await control.expire()
                await control.pruneLiveWatches()
            }
        }
    }
}
