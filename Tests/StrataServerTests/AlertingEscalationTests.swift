import Foundation
import Logging
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import Synchronization
import Testing
@testable import StrataServer

/// Escalation chains and recurring maintenance windows end to end: an evaluator on a real SQLite catalog, driven by a
/// clock the test sets, its outbox and history read back from the catalog.
@Suite struct AlertingEscalationTests {
    static let minute: Int64 = 60_000
    /// Saturday 2025-01-04 00:00 UTC.
    static let saturday: Int64 = 1_735_948_800_000
    static let series = StableID(parts: ["escalation-test-series"])

    /// An evaluator whose clock reads `now`.
    final class Rig: Sendable {
        let harness: ServerHarness
        let now = Mutex<Int64>(AlertingEscalationTests.saturday + 10 * AlertingEscalationTests.minute)

        init() async throws {
            harness = try ServerHarness()
            _ = try await harness.server.bootstrap()
        }

        func evaluator() async throws -> AlertEvaluator {
            let evaluator = AlertEvaluator(catalog: harness.server.catalog, querier: harness.server.store, sink: harness.server.events,
                                           feed: AlertFeed(), logger: Logger(label: "escalation-test"), clock: { [self] in now.withLock { $0 } })
            try await evaluator.load()
            return evaluator
        }

        func at(_ ms: Int64) { now.withLock { $0 = ms } }

        /// One sample of the test series `m{job="esc"}`.
        func sample(_ evaluator: AlertEvaluator, _ value: Double) async {
            var batch = SampleBatch()
            let time = now.withLock { $0 }
            batch.append(AlertingEscalationTests.series, time, value)
            batch.labels[AlertingEscalationTests.series] = Labels([Label("__name__", "m"), Label("job", "esc")])
            await evaluator.process([AlertFeed.Item(tenantID: "default", batch: batch, receivedMs: time)])
        }

        func alertID(_ evaluator: AlertEvaluator) async -> String {
            await evaluator.entries.values.first?.id ?? "none"
        }

        /// Defines the test definition, fires its alert now; returns when it fired and the alert's id.
        func fire(_ evaluator: AlertEvaluator) async throws -> (start: Int64, id: String) {
            _ = try await evaluator.define(AlertingEscalationTests.definition, tenantID: "default", origin: "api")
            let start = now.withLock { $0 }
            await sample(evaluator, 9)
            return (start, await alertID(evaluator))
        }

        /// Ticks `evaluator` at `ms`.
        func tick(_ evaluator: AlertEvaluator, at ms: Int64) async {
            at(ms)
            await evaluator.tick()
        }

        func outbox(_ alertID: String) async throws -> [NotificationRecord] {
            try await harness.server.catalog.notifications(tenantID: "default", alertID: alertID)
        }

        func escalationIDs(_ alertID: String) async throws -> [String] {
            try await outbox(alertID).map(\.id).filter { $0.contains("-esc") }.sorted()
        }

        func history(_ alertID: String) async throws -> [AlertHistoryRecord] {
            try await harness.server.catalog.alertHistory(tenantID: "default", id: alertID)
        }
    }

    static func hook(_ name: String) -> API.NotifyTarget { API.NotifyTarget(type: "webhook", url: "http://127.0.0.1:1/\(name)") }

    /// Fires above 5; told to `first` at once; step 1 after 15m to `second`, again 10m later; step 2 after 30m to two targets.
    static let definition = API.AlertDefinition(
        name: "esc", scope: API.AlertScope(series: ["job": "esc"]),
        condition: API.AlertCondition(type: "threshold", metric: "m", op: ">", threshold: 5), flapThreshold: 0,
        notify: [hook("first")],
        escalation: [API.EscalationStep(after: "15m", notify: [hook("second")], repeatEvery: "10m", times: 2),
                     API.EscalationStep(after: "30m", notify: [hook("third"), API.NotifyTarget(type: "slack", url: "http://127.0.0.1:1/slack")])])

    @Test func anUnacknowledgedAlertEscalatesStepByStepAtTheRightTimes() async throws {
        let rig = try await Rig()
        let evaluator = try await rig.evaluator()
        let (start, id) = try await rig.fire(evaluator)
        #expect(try await rig.outbox(id).count == 1, "the notify target, at once")
        var seen: [Int64: [String]] = [:]
        for minutes in [1, 14, 15, 16, 24, 25, 29, 30, 45, 90] as [Int64] {
            await rig.tick(evaluator, at: start + minutes * Self.minute)
            seen[minutes] = try await rig.escalationIDs(id)
        }
        let prefix = "\(id)-\(start)-esc"
        #expect(seen[14] == [])
        #expect(seen[15] == [prefix + "1.1-0"])
        #expect(seen[24] == [prefix + "1.1-0"])
        #expect(seen[25] == [prefix + "1.1-0", prefix + "1.2-0"])
        #expect(seen[30] == [prefix + "1.1-0", prefix + "1.2-0", prefix + "2.1-0", prefix + "2.1-1"])
        #expect(seen[90] == seen[30], "every step has sent its times")
        let rows = try await rig.outbox(id)
        let second = try #require(rows.first { $0.id == prefix + "1.2-0" })
        #expect(second.targetJSON.contains("/second"))
        let payload = try JSONDecoder().decode(AlertNotification.self, from: Data(second.payloadJSON.utf8))
        #expect(payload.status == "firing" && payload.escalationStep == 1 && payload.escalationRepeat == 2 && payload.startsAtMs == start)
        let body = String(decoding: try WebhookPayload.body(for: payload), as: UTF8.self)
        #expect(body.contains(#""escalationStep":1"#) && body.contains(#""escalationRepeat":2"#))
        #expect(payload.summaryLine.hasSuffix("(escalation step 1, repeat 2)"))
        #expect(AlertmanagerAlert(payload, externalURL: nil).annotations["strata_escalation_step"] == "1")
        #expect(EmailMessage(payload, from: "s@x.org", to: ["o@x.org"]).body.contains("Escalation:  step 1, repeat 2"))
        #expect(rows.first { $0.id == prefix + "2.1-1" }?.targetJSON.contains("slack") == true)
        let escalated = try await rig.history(id).filter { $0.reason == "escalated" }
        #expect(escalated.map(\.note) == ["step 1 of 2, repeat 1 of 2", "step 1 of 2, repeat 2 of 2", "step 2 of 2"])
        #expect(escalated.allSatisfy { $0.notified && $0.from == "firing" && $0.to == "firing" })
    }

    @Test func acknowledgingStopsTheEscalationAndANewEpisodeStartsItAfresh() async throws {
        let rig = try await Rig()
        let evaluator = try await rig.evaluator()
        let (start, id) = try await rig.fire(evaluator)
        await rig.tick(evaluator, at: start + 15 * Self.minute)
        #expect(try await rig.escalationIDs(id).count == 1)
        rig.at(start + 16 * Self.minute)
        _ = try await evaluator.acknowledge(tenantID: "default", alertID: id, by: "ana")
        for minutes in [25, 30, 60] as [Int64] { await rig.tick(evaluator, at: start + minutes * Self.minute) }
        #expect(try await rig.escalationIDs(id).count == 1, "no escalation after the acknowledgement")
        // Resolved, then firing again: the chain starts over from the new firing transition.
        rig.at(start + 61 * Self.minute)
        await rig.sample(evaluator, 1)
        let again = start + 62 * Self.minute
        rig.at(again)
        await rig.sample(evaluator, 9)
        await rig.tick(evaluator, at: again + 15 * Self.minute)
        #expect(try await rig.escalationIDs(id).filter { $0.hasPrefix("\(id)-\(again)-esc") } == ["\(id)-\(again)-esc1.1-0"])
    }

    @Test func aRestartSendsWhatFellDueWhileDownOnceAndNothingTwice() async throws {
        let rig = try await Rig()
        let first = try await rig.evaluator()
        let (start, id) = try await rig.fire(first)
        await rig.tick(first, at: start + 15 * Self.minute)
        #expect(try await rig.escalationIDs(id) == ["\(id)-\(start)-esc1.1-0"])
        // Down from minute 15 to minute 40: step 1's second send (25m) and step 2 (30m) fell due meanwhile.
        rig.at(start + 40 * Self.minute)
        let second = try await rig.evaluator()
        await second.tick()
        await second.tick()
        let prefix = "\(id)-\(start)-esc"
        #expect(try await rig.escalationIDs(id) == [prefix + "1.1-0", prefix + "1.2-0", prefix + "2.1-0", prefix + "2.1-1"])
        let escalated = try await rig.history(id).filter { $0.reason == "escalated" }.count
        #expect(escalated == 3)
        // A third start recomputing everything from the firing transition (its progress lost) stores no outbox row twice.
        rig.at(start + 41 * Self.minute)
        let third = try await rig.evaluator()
        await third.forgetEscalationProgress()
        let before = try await rig.outbox(id).count
        await third.tick()
        #expect(try await rig.outbox(id).count == before)
        // And one resuming normally adds no history either.
        let fourth = try await rig.evaluator()
        await fourth.tick()
        #expect(try await rig.history(id).filter { $0.reason == "escalated" }.count == escalated + 2, "only the third's recomputation")
    }

    @Test func aRecurringWindowSilencesTransitionsAndEscalationsInsideItButNotOutside() async throws {
        let rig = try await Rig()
        let evaluator = try await rig.evaluator()
        _ = try await evaluator.define(Self.definition, tenantID: "default", origin: "api")
        // Saturdays and Sundays 02:00–04:00 at +01:00, i.e. 01:00–03:00 UTC.
        let window = try Recurrence.parse(days: ["sat", "sun"], start: "02:00", duration: "2h", timezone: "+01:00")
        let silence = Silence(id: "weekend", tenantID: "default", matchers: ["alertname": "esc"], startsMs: Self.saturday, endsMs: .max,
                              comment: "backups", createdBy: "ana", recurrence: window)
        try await rig.harness.server.catalog.saveSilence(tenantID: "default", id: silence.id,
                                                          bodyJSON: String(decoding: try JSONEncoder().encode(silence), as: UTF8.self), endsMs: .max)
        try await evaluator.reloadSilences()
        // Firing at 01:30 UTC (inside), escalating at 01:45 (inside), resolving at 03:30 (outside).
        rig.at(Self.saturday + 90 * Self.minute)
        await rig.sample(evaluator, 9)
        let id = await rig.alertID(evaluator)
        rig.at(Self.saturday + 105 * Self.minute)
        await evaluator.tick()
        rig.at(Self.saturday + 210 * Self.minute)
        await rig.sample(evaluator, 1)
        let history = try await rig.history(id)
        let firing = try #require(history.first { $0.to == "firing" && $0.reason != "escalated" })
        #expect(!firing.notified && firing.note == "silenced by weekend")
        let escalation = try #require(history.first { $0.reason == "escalated" })
        #expect(!escalation.notified && escalation.note == "step 1 of 2, repeat 1 of 2; silenced by weekend")
        let resolved = try #require(history.last)
        #expect(resolved.to == "resolved" && resolved.notified && resolved.note == nil)
        let outbox = try await rig.outbox(id)
        #expect(outbox.count == 1 && outbox[0].payloadJSON.contains(#""status":"resolved""#), "\(outbox.map(\.id))")
        // The same on Monday at 01:30 UTC: no window, told at once.
        rig.at(Self.saturday + 2 * 86_400_000 + 90 * Self.minute)
        await rig.sample(evaluator, 9)
        let monday = try await rig.history(id).last
        #expect(monday?.to == "firing" && monday?.notified == true)
    }

    @Test func definitionFilesTakeEscalationsAndReportABadOneWithItsLineAndField() throws {
        let directory = try DefinitionFilesTests.directory([
            "good.yaml": """
                name: disk-full
                scope: {kind: server}
                condition: {type: availability}
                escalation:
                  - {after: 15m, notify: [{type: webhook, url: "https://ops.example/hook"}], repeat: 10m, times: 3}
                """,
            "bad.yaml": """
                name: disk-late
                scope: {kind: server}
                condition: {type: availability}
                escalation:
                  - after: 15m
                    notify: [{type: webhook, url: "https://ops.example/hook"}]
                    times: 3
                """,
        ])
        let scan = DefinitionFilesTests.scan(directory)
        let good = try #require(scan.files.first?.definitions.first)
        #expect(good.escalation == [API.EscalationStep(after: "15m", notify: [API.NotifyTarget(type: "webhook", url: "https://ops.example/hook")],
                                                       repeatEvery: "10m", times: 3)])
        #expect(scan.errors.map(\.message) == [directory + "/bad.yaml:5: escalation[0].repeat: is needed when times is more than 1: how long between sends, such as 10m"])
    }

    @Test func theAPIRefusesBadEscalationsNamingTheField() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            func definition(_ escalation: String) -> String {
                """
                {"name": "e", "scope": {"kind": "platform"}, "condition": {"type": "availability"}, "escalation": \(escalation)}
                """
            }
            let hook = #"{"type": "webhook", "url": "http://h/x", "secret": "s3cret"}"#
            let tooMany = "[" + Array(repeating: #"{"after": "1m", "notify": [\#(hook)]}"#, count: 17).joined(separator: ",") + "]"
            let badDefinitions: [(String, String)] = [
                (#"[{"after": "1m", "notify": [\#(hook)], "times": 0}]"#, "escalation[0].times"),
                (#"[{"after": "1m", "notify": [\#(hook)], "times": 101, "repeat": "1m"}]"#, "escalation[0].times"),
                (#"[{"after": "1m", "notify": [\#(hook)], "repeat": "5m"}]"#, "escalation[0].times"),
                (#"[{"after": "1m", "notify": [\#(hook)], "times": 3}]"#, "escalation[0].repeat"),
                (#"[{"after": "1m", "notify": [\#(hook)]}, {"after": "soon", "notify": [\#(hook)]}]"#, "escalation[1].after"),
                (#"[{"after": "1m", "notify": []}]"#, "escalation[0].notify"),
                (#"[{"after": "1m", "notify": [{"type": "webhook", "url": "ftp://h"}]}]"#, "escalation[0].notify[0].url"),
                (#"[{"after": "1m", "notify": [\#(hook)], "wait": "1m"}]"#, "escalation[0].wait"),
                (tooMany, "escalation"),
            ]
            for (escalation, field) in badDefinitions {
                let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", definition(escalation))
                #expect(response.status == .badRequest, "\(escalation)")
                #expect((response.json["error"] as? String)?.contains(field) == true, "\(field): \(response.json)")
            }
            let good = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions",
                                                        definition(#"[{"after": "15m", "notify": [\#(hook)], "repeat": "10m", "times": 3}]"#))
            #expect(good.status == .ok, "\(good.json)")
            let step = (((good.data as? [String: Any])?["escalation"] as? [[String: Any]])?.first)
            #expect(step?["repeat"] as? String == "10m" && step?["times"] as? Int == 3)
            #expect((step?["notify"] as? [[String: Any]])?.first?["secret"] as? String == "***", "escalation secrets are masked too")
        }
    }

    @Test func theAPIRefusesBadRecurrencesNamingTheFieldAndKeepsGoodOnesWithoutAnEnd() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let badSilences: [(String, String)] = [
                (#""recurrence": {"start": "25:00", "duration": "2h"}"#, "recurrence.start"),
                (#""recurrence": {"start": "02:00", "duration": "8d"}"#, "recurrence.duration"),
                (#""recurrence": {"days": ["saturday"], "start": "02:00", "duration": "2h"}"#, "recurrence.days"),
                (#""recurrence": {"start": "02:00", "duration": "2h", "timezone": "Europe/Paris"}"#, "recurrence.timezone"),
                (#""recurrence": {"start": "02:00", "duration": "2h", "weekdays": ["sat"]}"#, "recurrence.weekdays"),
                (#""recurrence": {"duration": "2h"}"#, "start"),
                (#""endsMs": null"#, "endsMs"),
            ]
            for (fields, expected) in badSilences {
                let response = try await AlertingFlowTests.post(client, "/api/v1/silences",
                                                                #"{"matchers": {"alertname": "x"}, "comment": "c", \#(fields)}"#)
                #expect(response.status == .badRequest, "\(fields)")
                #expect((response.json["error"] as? String)?.contains(expected) == true, "\(expected): \(response.json)")
            }
            let created = try await AlertingFlowTests.post(client, "/api/v1/silences", """
                {"matchers": {"alertname": "x"}, "comment": "backups", "recurrence": {"days": ["sat", "sun"], "start": "02:00", "duration": "2h", "timezone": "+01:00"}}
                """)
            #expect(created.status == .ok, "\(created.json)")
            let silence = created.data as? [String: Any]
            #expect(silence?["endsMs"] is NSNull, "a recurring silence may run until deleted")
            let recurrence = silence?["recurrence"] as? [String: Any]
            #expect(recurrence?["days"] as? [String] == ["sat", "sun"] && recurrence?["start"] as? String == "02:00")
            #expect(recurrence?["duration"] as? String == "2h" && recurrence?["timezone"] as? String == "+01:00")
            let listed = try await client.execute(uri: "/api/v1/silences", method: .get, headers: ServerHarness.adminBasic)
            #expect(((listed.data as? [[String: Any]])?.first?["recurrence"] as? [String: Any])?["start"] as? String == "02:00")
        }
    }
}
