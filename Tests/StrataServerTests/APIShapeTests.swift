import Foundation
import StrataAPI
import StrataCore
import StrataInventory
import Testing
import Yams
@testable import StrataServer

/// `docs/openapi.yaml` against the shapes the server really sends: an example of every StrataAPI response
/// type, rendered as the server renders it, must have exactly the fields its component schema lists, each
/// of the documented type (null only where nullable, enum values only from the enum).
struct APIShapeTests {
    static let resource = API.Resource(id: "00000000000000aa", kind: .vm, name: "crm-web", parentId: nil, naturalKey: "vm:aaaa",
                                       availability: .up, approval: .approved, properties: .map([("uuid", .string("aaaa"))]),
                                       createdMs: 1, updatedMs: 2, removedMs: 3)
    static let series = API.Series(id: StableID(hex: "00000000000000bb")!, resourceId: "00000000000000aa", metric: "up", type: "gauge",
                                   labels: API.LabelObject(["mode": "idle"]))
    static let relation = API.Relation(kind: .dependsOn, direction: "out", resourceId: "00000000000000cc", name: nil, evidence: "connection to 127.0.0.1:3306",
                                       active: true, createdMs: 1, seenMs: 2)

    /// Every response shape, under the name of its component schema.
    static let examples: [(String, any Encodable & Sendable)] = [
        ("Resource", resource),
        ("Removal", API.Removal(removed: ["00000000000000aa"], history: "kept")),
        ("ImportResult", API.ImportResult(resourcesCreated: 1, resourcesUpdated: 0, resourcesUnchanged: 2, relationsChanged: 1, placementsChanged: 2,
                                          seriesCreated: 3, samplesWritten: 10, samplesAlreadyPresent: 0, samplesConflicting: 0, samplesRejected: 0,
                                          rejection: nil)),
        ("ResourceDetail", API.ResourceDetail(resource: resource, parents: [resource], children: [], relations: [relation])),
        ("Relation", relation),
        ("Series", series),
        ("SeriesSamples", API.SeriesSamples(series: series, samples: [API.Point(1, 0.5), API.Point(2, .nan)])),
        ("QueryResult", API.QueryResult(resolution: "raw", stepMs: 60_000, fn: "last",
                                        series: [API.QuerySeries(id: series.id, labels: series.labels, points: [API.Point(1, 2)])])),
        ("StreamSamples", API.StreamSamples(series: [API.StreamSeries(id: series.id, labels: series.labels, samples: [API.Point(1, 2)], endedMs: 3)])),
        ("StreamGap", API.StreamGap(reason: "r", lastEventId: "1-1")),
        ("StreamEnd", API.StreamEnd(reason: "r")),
        ("Placement", API.Placement(vmId: "v", vmName: "crm-web", hypervisorId: "h", hypervisorName: nil, hostId: nil, hostName: nil, fromMs: 1, toMs: nil)),
        ("Group", API.Group(group: resource, members: ["00000000000000aa"])),
        ("Event", API.Event(id: 1, resourceId: nil, timeMs: 1, kind: .relocated, severity: .warning, message: "m", source: nil)),
        ("ConfigVersion", API.ConfigVersion(resourceId: "r", path: "/etc/x", version: 1, state: "present", observedMs: 1, added: 1, removed: 0,
                                            hash: "h", content: nil)),
        ("ConfigDiff", API.ConfigDiff(path: "/etc/x", from: 1, to: 2, diff: "")),
        ("Discovery", API.Discovery(id: 1, resourceId: "r", resourceName: nil, resourceKind: .vm, change: .new, summary: "s", status: .pending,
                                    createdMs: 1, decidedMs: nil, decidedBy: nil, agentId: nil)),
        ("DiscoveryPolicy", DiscoveryPolicy(mode: .rules, expected: [.init(kind: "vm", name: "crm-*")], updatedMs: 1)),
        ("Token", API.Token(id: 1, kind: "api", name: "n", userId: nil, scopes: ["read"], agentId: nil, platformId: nil, createdMs: 1,
                            expiresMs: nil, revokedMs: nil, lastUsedMs: nil)),
        ("CreatedToken", API.CreatedToken(id: 1, kind: "api", name: "n", token: "secret", scopes: ["read"], expiresMs: nil)),
        ("User", API.User(id: 1, username: "ana", role: "viewer", createdMs: 1, disabledMs: nil)),
        ("Agent", API.Agent(id: "a", platformId: nil, lastSequence: 1, intervalMs: 10_000, lastSeenMs: 1, available: true, revokedMs: nil)),
        ("AuditRecord", API.AuditRecord(id: 1, timeMs: 1, actor: "admin", action: "login", target: "user:admin", outcome: "ok", detail: "", remote: "::1")),
        ("WhoAmI", API.WhoAmI(tenant: "default", name: "admin", role: "admin", via: "password", permissions: ["read"])),
        ("Session", API.Session(tenant: "default", username: "admin", role: nil, csrfToken: "c", expiresMs: 1)),
        ("Tenant", API.Tenant(id: "acme", name: "ACME", createdMs: 1)),
        ("CreatedTenant", API.CreatedTenant(id: "acme", name: "ACME", adminUsername: "admin", adminPassword: nil, login: "admin@acme")),
        ("Grant", API.Grant(groupId: "g", role: "operator")),
        ("AlertDefinition", API.AlertDefinition(id: "d", name: "nginx-down", description: nil, scope: API.AlertScope(serverType: "nginx"),
                                                condition: API.AlertCondition(type: "availability", problem: "down"), severity: "critical",
                                                forDuration: "30s", notify: [API.NotifyTarget(type: "webhook", url: "http://h/x", secret: "***")],
                                                origin: "api", updatedMs: 1,
                                                escalation: [API.EscalationStep(after: "15m", notify: [API.NotifyTarget(type: "slack", url: "http://h/***")],
                                                                                repeatEvery: "10m", times: 3)])),
        ("Alert", API.Alert(id: "a", definitionId: "d", definitionName: "nginx-down", subject: "r", resourceId: "r", state: "firing",
                            severity: "critical", flapping: false, labels: ["alertname": "nginx-down"], annotations: [:], value: 0, startsMs: 1,
                            updatedMs: 2, heldBy: nil)),
        ("AlertChange", API.AlertChange(timeMs: 1, from: "pending", to: "firing", reason: "held-for", actor: nil, notified: true, note: nil)),
        ("AlertDelivery", API.AlertDelivery(id: "n", target: "webhook", status: "delivered", attempts: 1, nextAttemptMs: 1, lastError: nil, createdMs: 1)),
        ("Silence", API.Silence(id: "s", matchers: ["alertname": "x"], resources: [], startsMs: 1, endsMs: 2, comment: "upgrade", createdBy: "admin",
                                recurrence: API.SilenceRecurrence(days: ["sat"], start: "02:00", duration: "2h", timezone: "UTC"))),
        ("ControlCommand", API.ControlCommand(id: "c", resourceId: "r", agentId: "a", action: "reload", parameters: [:], state: "queued",
                                              requestedBy: "admin", createdMs: 1, deadlineMs: 2, updatedMs: 1)),
        ("ResourceAction", API.ResourceAction(name: "renice", summary: "s", parameters: [API.ActionParameter(name: "priority", type: "integer",
                                                                                                       required: true, summary: "p", min: -20, max: 19)])),
        ("GroupRun", API.GroupRun(id: "g", target: API.ControlTarget(kind: "server", serverType: "nginx"), action: "reload", parameters: [:],
                                  concurrency: 10, stopOnFailure: false, requestedBy: "admin", createdMs: 1, updatedMs: 2, state: "finished",
                                  summary: ["total": 1, "succeeded": 1],
                                  items: [API.GroupRunItem(resourceId: "r", resourceName: "nginx", state: "succeeded", commandId: "c", message: nil)])),
        ("GroupRunSummary", API.GroupRunSummary(API.GroupRun(id: "g", target: API.ControlTarget(group: "w"), action: "reload", parameters: ["a": "b"],
                                                             concurrency: 10, stopOnFailure: true, requestedBy: "schedule:nightly", createdMs: 1,
                                                             updatedMs: 2, state: "running", summary: ["total": 2, "running": 2], items: []))),
        ("Schedule", API.Schedule(id: "s", request: API.ScheduleRequest(name: "nightly", cron: "0 3 * * *", timezone: "Europe/Berlin",
                                                                        target: API.ControlTarget(resource: "r"), action: "reload"),
                                  createdBy: "admin", createdMs: 1)),
        ("FailoverSettings", API.FailoverSettings(enabled: true, gracePeriod: "60s", sharedStorage: ["/shared/"], antiAffinity: [["a", "b"]],
                                                  fencing: "hypervisor")),
        ("FailoverDecision", API.FailoverDecision(id: "f", vmId: "v", groupId: "g", fromHypervisorId: "h", state: "requested", downSinceMs: 1,
                                                  fencedMs: 2, targetId: "t", commandId: "c", note: nil, reappeared: false, updatedMs: 3)),
        ("ResourcePermissions", API.ResourcePermissions(resourceId: "r", permissions: ["read"], grants: [API.Grant(groupId: "g", role: "viewer")])),
    ]

    static func schemas() throws -> [String: Any] {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/openapi.yaml")
        let document = try Yams.load(yaml: try String(contentsOf: file, encoding: .utf8)) as? [String: Any]
        return ((document?["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
    }

    @Test func everyResponseShapeMatchesItsSchemaInTheOpenAPIFile() throws {
        let schemas = try Self.schemas()
        for (name, example) in Self.examples {
            guard let schema = schemas[name] as? [String: Any] else {
                Issue.record("docs/openapi.yaml has no schema \(name)")
                continue
            }
            let problems = ShapeCheck(schemas: schemas).problems(try JSONTreeEncoder.encode(AnyEncodable(example)), schema, at: name)
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
    }

    @Test func theShapeCheckFindsAMissingAFieldTooManyAndAWrongType() throws {
        let schema: [String: Any] = ["type": "object", "properties": ["a": ["type": "integer"], "b": ["type": "string"]]]
        let check = ShapeCheck(schemas: [:])
        #expect(check.problems(.object([("a", .int(1)), ("b", .string("x"))]), schema, at: "x").isEmpty)
        #expect(check.problems(.object([("a", .int(1))]), schema, at: "x") == ["x.b: documented but not sent"])
        #expect(check.problems(.object([("a", .int(1)), ("b", .string("x")), ("c", .null)]), schema, at: "x") == ["x.c: sent but not documented"])
        #expect(check.problems(.object([("a", .string("1")), ("b", .null)]), schema, at: "x") == ["x.a: string is not integer", "x.b: null but not nullable"])
    }

    @Test func theCLIDecodesWhatTheServerSends() throws {
        for (name, example) in Self.examples where name == "ResourceDetail" || name == "SeriesSamples" || name == "QueryResult" {
            let text = try JSONTreeEncoder.encode(AnyEncodable(example)).text
            let data = Data(text.utf8)
            switch example {
            case let detail as API.ResourceDetail: #expect(try JSONDecoder().decode(API.ResourceDetail.self, from: data) == detail)
            case let samples as API.SeriesSamples:
                let decoded = try JSONDecoder().decode(API.SeriesSamples.self, from: data)
                #expect(decoded == samples, "NaN travels as \"NaN\" and comes back: \(text)")
            case let result as API.QueryResult: #expect(try JSONDecoder().decode(API.QueryResult.self, from: data) == result)
            default: Issue.record("unexpected example \(name)")
            }
        }
    }
}

/// An existential Encodable, encodable.
struct AnyEncodable: Encodable {
    let value: any Encodable
    init(_ value: any Encodable) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
}

/// Compares a rendered JSON value with an OpenAPI schema (the subset the file uses: type, properties,
/// items, $ref, enum, nullable, additionalProperties, allOf).
struct ShapeCheck {
    let schemas: [String: Any]

    /// The schema with `$ref`s followed and `allOf` parts merged (their properties joined), keeping `nullable`.
    func resolve(_ schema: [String: Any]) -> [String: Any] {
        var resolved = schema
        if let ref = schema["$ref"] as? String {
            resolved = resolve(schemas[String(ref.split(separator: "/").last ?? "")] as? [String: Any] ?? [:])
        } else if let parts = schema["allOf"] as? [[String: Any]] {
            resolved = [:]
            var properties: [String: Any] = [:]
            for part in parts.map(resolve) {
                resolved.merge(part) { first, _ in first }
                properties.merge(part["properties"] as? [String: Any] ?? [:]) { first, _ in first }
            }
            if !properties.isEmpty { resolved["properties"] = properties }
        }
        if let nullable = schema["nullable"] { resolved["nullable"] = nullable }
        return resolved
    }

    func problems(_ value: JSON, _ raw: [String: Any], at path: String) -> [String] {
        let schema = resolve(raw)
        if case .null = value { return schema["nullable"] as? Bool == true ? [] : ["\(path): null but not nullable"] }
        let type = schema["type"] as? String
        switch value {
        case .object(let entries):
            guard type == "object" || type == nil else { return ["\(path): object is not \(type!)"] }
            guard let properties = schema["properties"] as? [String: Any] else { return [] }
            var found: [String] = []
            let sent = Set(entries.map(\.0))
            for key in properties.keys.sorted() where !sent.contains(key) { found.append("\(path).\(key): documented but not sent") }
            for (key, item) in entries {
                guard let property = properties[key] as? [String: Any] else {
                    if schema["additionalProperties"] == nil { found.append("\(path).\(key): sent but not documented") }
                    continue
                }
                found += problems(item, property, at: "\(path).\(key)")
            }
            return found
        case .array(let items):
            guard type == "array" else { return ["\(path): array is not \(type ?? "untyped")"] }
            let itemSchema = schema["items"] as? [String: Any] ?? [:]
            return items.enumerated().flatMap { problems($1, itemSchema, at: "\(path)[\($0)]") }
        case .string(let text):
            if let choices = schema["enum"] as? [Any], !choices.contains(where: { "\($0)" == text }) { return ["\(path): \"\(text)\" is not in the enum"] }
            return type == "string" || type == nil ? [] : ["\(path): string is not \(type!)"]
        case .int: return type == "integer" || type == "number" || type == nil ? [] : ["\(path): integer is not \(type!)"]
        case .double: return type == "number" || type == nil ? [] : ["\(path): number is not \(type!)"]
        case .bool: return type == "boolean" || type == nil ? [] : ["\(path): boolean is not \(type!)"]
        case .null, .raw: return []
        }
    }
}
