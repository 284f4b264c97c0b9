import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// A schedule's time zone is a tz database name (or UTC); Foundation's own forms such as `GMT+5` are refused, since
/// the tz database spells that zone `Etc/GMT-5` and the two are easily confused.
@Suite struct ScheduleTimeZoneTests {
    @Test func onlyTZDatabaseNamesAreTimeZones() {
        for name in ["UTC", "Europe/Berlin", "America/New_York", "Etc/GMT+5", "Asia/Kolkata"] {
            #expect(TZDatabaseZone(name) != nil, "\(name)")
        }
        for name in ["GMT+5", "GMT+05:00", "UTC+1", "+0100", "EST5EDT ", "Mars/Olympus", "", "europe/berlin/../berlin"] {
            #expect(TZDatabaseZone(name) == nil, "\(name)")
        }
    }

    @Test func aScheduleInAFoundationOffsetZoneIsRefusedWithTheReason() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (_, servers) = try await ControlGroupTests.setUp(client, count: 1)
            let target = try #require(servers["nginx-0"])
            let body = #"{"name": "n", "cron": "0 3 * * *", "timezone": "GMT+5", "target": {"resource": "\#(target)"}, "action": "reload"}"#
            let response = try await post(client, "/api/v1/control/schedules", body, ServerHarness.adminBasic)
            #expect(response.status == .badRequest)
            #expect((response.json["error"] as? String)?.contains(#"timezone: unknown time zone "GMT+5""#) == true, "\(String(buffer: response.body))")
            let long = #"{"name": "n", "cron": "\#(String(repeating: "1,", count: 200))1 * * * *", "target": {"resource": "\#(target)"}, "action": "reload"}"#
            let refused = try await post(client, "/api/v1/control/schedules", long, ServerHarness.adminBasic)
            #expect(refused.status == .badRequest)
            #expect((refused.json["error"] as? String)?.contains("at most 256 characters") == true, "\(String(buffer: refused.body))")
        }
    }
}
