import Foundation
import Hummingbird
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore

/// Silences (and maintenance windows over a resource subtree, once or recurring): `GET|POST /api/v1/silences`,
/// `DELETE /api/v1/silences/{id}`.
struct SilenceRoutes {
    let evaluator: AlertEvaluator
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("silences", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let rows = try await catalog.silences(tenantID: principal.tenantID).compactMap { row -> API.Silence? in
                guard let silence = try? JSONDecoder().decode(Silence.self, from: Data(row.bodyJSON.utf8)) else { return nil }
                return Self.body(silence)
            }
            return try Envelope.success(rows)
        }
        group.post("silences", .permission(.acknowledge)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.Silence.self, from: request,
                                                   allowedFields: ["id", "matchers", "resources", "startsMs", "endsMs", "comment", "createdBy", "recurrence"],
                                                   nestedFields: ["recurrence": ["days", "start", "duration", "timezone"]],
                                                   limit: maxJSONBytes, example: #"{"matchers": {"alertname": "nginx-down"}, "endsMs": 1767225600000, "comment": "upgrade"}"#)
            let now = Time.nowMs()
            let starts = body.startsMs ?? now
            let recurrence = try Self.recurrence(body.recurrence)
            // A recurring silence without an end recurs until deleted (stored with the largest end).
            guard let ends = body.endsMs ?? (recurrence == nil ? nil : Int64.max) else {
                throw APIError.badData("endsMs is required; only a recurring silence may leave it out (it then recurs until deleted)")
            }
            guard ends > starts else { throw APIError.badData("endsMs must be after startsMs (or after now)") }
            guard !(body.matchers ?? [:]).isEmpty || !(body.resources ?? []).isEmpty else {
                throw APIError.badData("a silence needs matchers or resources: an empty one would silence every alert")
            }
            if let blank = (body.resources ?? []).first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                throw APIError.badData("resources holds an empty id (\"\(blank)\"): name each resource by its id")
            }
            guard (body.matchers?.count ?? 0) <= 64, (body.resources?.count ?? 0) <= 1_000, body.comment.count <= 2_000 else {
                throw APIError.badData("at most 64 matchers, 1000 resources and a 2000-character comment")
            }
            let id = StableID(parts: ["silence", principal.tenantID, String(now), String(UInt64.random(in: 0...UInt64.max))]).description
            let silence = Silence(id: id, tenantID: principal.tenantID, matchers: body.matchers ?? [:], resourceIDs: body.resources ?? [],
                                  startsMs: starts, endsMs: ends, comment: body.comment, createdBy: principal.auditActor, recurrence: recurrence)
            try await catalog.saveSilence(tenantID: principal.tenantID, id: id, bodyJSON: String(decoding: try JSONEncoder().encode(silence), as: UTF8.self),
                                          endsMs: ends)
            try await evaluator.reloadSilences()
            await audit.record(principal, "silence.create", target: "silence:\(id)", detail: body.comment, remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(Self.body(silence))
        }
        group.delete("silences/:id", .permission(.acknowledge)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.deleteSilence(tenantID: principal.tenantID, id: id) else { throw APIError.notFound("no silence \(id) in this tenant") }
            try await evaluator.reloadSilences()
            await audit.record(principal, "silence.delete", target: "silence:\(id)", detail: "", remote: context.remoteAddress, nowMs: Time.nowMs())
            return try Envelope.success(["deleted": id])
        }
    }

    /// A request's recurrence, refused with the field named (`recurrence.start must be HH:MM …`).
    static func recurrence(_ body: API.SilenceRecurrence?) throws -> Recurrence? {
        guard let body else { return nil }
        do throws(RecurrenceError) {
            return try Recurrence.parse(days: body.days, start: body.start, duration: body.duration, timezone: body.timezone)
        } catch {
            throw APIError.badData(error.description)
        }
    }

    static func body(_ silence: Silence) -> API.Silence {
        API.Silence(id: silence.id, matchers: silence.matchers, resources: silence.resourceIDs, startsMs: silence.startsMs,
                    endsMs: silence.endsMs == .max ? nil : silence.endsMs, comment: silence.comment, createdBy: silence.createdBy,
                    recurrence: silence.recurrence.map { recurrence in
                        API.SilenceRecurrence(days: recurrence.days.map(\.rawValue), start: recurrence.startText,
                                              duration: DurationText.format(recurrence.durationMs), timezone: recurrence.timezoneText)
                    })
    }
}
