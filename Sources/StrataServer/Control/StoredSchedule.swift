import Foundation
import StrataAPI
import StrataCatalog

/// A schedule as the catalog keeps it: its API shape, and beside it who saved it (`ScheduleCreator`), which the API
/// does not show. One JSON object, so a body stored before the creator was kept still reads (without one).
struct StoredSchedule: Codable, Sendable, Equatable {
    var schedule: API.Schedule
    /// Nil for a schedule stored before creators were kept (found by `createdBy` then).
    var creator: ScheduleCreator?

    private enum Keys: String, CodingKey {
        case creator
    }

    init(_ schedule: API.Schedule, creator: ScheduleCreator?) {
        self.schedule = schedule
        self.creator = creator
    }

    init(from decoder: any Decoder) throws {
        schedule = try API.Schedule(from: decoder)
        creator = try decoder.container(keyedBy: Keys.self).decodeIfPresent(ScheduleCreator.self, forKey: .creator)
    }

    func encode(to encoder: any Encoder) throws {
        try schedule.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encodeIfPresent(creator, forKey: .creator)
    }

    /// The stored form of a tenant's schedule.
    func body(tenantID: String) throws -> StoredBody {
        StoredBody(tenantID: tenantID, id: schedule.id, bodyJSON: String(decoding: try JSONEncoder().encode(self), as: UTF8.self))
    }

    /// A stored body read back; nil when it is not a schedule.
    static func read(_ body: StoredBody) -> StoredSchedule? {
        try? JSONDecoder().decode(StoredSchedule.self, from: Data(body.bodyJSON.utf8))
    }
}
