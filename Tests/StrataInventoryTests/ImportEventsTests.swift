import Foundation
import StrataCore
import Testing
@testable import StrataInventory

/// Past events in an import document: resolved to their resource's id, refused naming the event when their kind,
/// severity, resource, time or message is wrong.
@Suite struct ImportEventsTests {
    static func withEvent(_ event: ImportEvent) -> ImportDocument {
        var document = ImportValidatorTests.topology()
        document.events = [ImportEvent(resource: "crm-web", kind: "log", time: .ms(ImportValidatorTests.now), message: "started"), event]
        return document
    }

    @Test func eventsResolveToTheirResourcesWithKindAndSeverity() throws {
        let document = Self.withEvent(ImportEvent(resource: "crm-db", kind: "config-change", time: .text("2026-11-30T10:00:00Z"), severity: "warning",
                                                  message: "/etc/mysql/my.cnf changed"))
        let resolved = try ImportValidatorTests.validator.validate(document).resolve(tenantID: "t1", inventory: ImportInventory([]))
        let db = try #require(resolved.resources.first { $0.key == "crm-db" })
        #expect(resolved.events.count == 2)
        #expect(resolved.events[1] == ResolvedImport.Event(resourceID: db.id, kind: .configChange, timeMs: 1_796_032_800_000, severity: .warning,
                                                           message: "/etc/mysql/my.cnf changed"))
    }

    @Test func badEventsAreRefusedNamingTheEvent() {
        let now = ImportValidatorTests.now
        let cases: [(ImportEvent, String)] = [
            (ImportEvent(resource: "crm-db", kind: "alarm", time: .ms(now), message: "x"), #"events[1]: kind "alarm" is not one of config-change, log"#),
            (ImportEvent(resource: "crm-db", kind: "log", time: .ms(now), severity: "loud", message: "x"), #"events[1]: severity "loud""#),
            (ImportEvent(resource: "crm-db", kind: "log", time: .ms(now), message: ""), "events[1]: message is empty"),
            (ImportEvent(resource: "nowhere", kind: "log", time: .ms(now), message: "x"), "events[1]"),
            (ImportEvent(resource: "crm-db", kind: "log", time: .text("yesterday"), message: "x"), "events[1]: time"),
        ]
        for (event, words) in cases {
            let refusal = ImportValidatorTests.refusal(Self.withEvent(event))
            #expect(refusal?.hasPrefix(words) == true, "\(refusal ?? "accepted")")
        }
    }
}
