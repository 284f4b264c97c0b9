import GRDB
import StrataCore
import Testing
@testable import StrataCatalog

@Test func theTimelineFiltersBySubtreeSeverityWordsAndPagesAndRetentionDeletes() async throws {
    let catalog = try await makeCatalog()
    var batch = platformBatch(sequence: 1, now: 1000)
    let platformID = batch.resources[0].id
    let serverID = StableID.resource(tenant: defaultTenant, kind: .server, key: "machine-id:1/redis:6379").description
    batch.resources.append(ResolvedResource(id: serverID, kind: .server, naturalKey: "machine-id:1/redis:6379", name: "redis :6379",
                                            parentID: platformID, propertiesJSON: #"{"type":"redis"}"#))
    _ = try await catalog.record(batch: batch)
    for (sequence, up) in [(2, false), (3, true)] as [(UInt64, Bool)] {
        var reading = platformBatch(sequence: sequence, now: Int64(sequence) * 1000, properties: nil)
        reading.resources.append(ResolvedResource(id: serverID, kind: .server, naturalKey: "machine-id:1/redis:6379", name: "redis :6379",
                                                  parentID: platformID, propertiesJSON: nil))
        reading.upReadings[serverID] = up
        _ = try await catalog.record(batch: reading)
    }

    var platformOnly = EventQuery(resourceID: platformID)
    #expect(try await catalog.events(tenantID: defaultTenant, query: platformOnly).map(\.resourceID) == [platformID])
    platformOnly.subtree = true
    #expect(try await catalog.events(tenantID: defaultTenant, query: platformOnly).count == 4,
            "the platform's timeline with everything below it: 2 discoveries, down, up")

    var warnings = EventQuery()
    warnings.minimumSeverity = .warning
    #expect(try await catalog.events(tenantID: defaultTenant, query: warnings).map(\.message)
        == ["server redis :6379 is down: its process is gone or its status interface fails"])

    var search = EventQuery()
    search.text = "fails redis"
    #expect(try await catalog.events(tenantID: defaultTenant, query: search).count == 1, "all words must appear")
    search.text = "\"unbalanced AND ( OR"
    #expect(try await catalog.events(tenantID: defaultTenant, query: search).isEmpty, "search syntax in the text is plain text, not an error")

    var page = EventQuery(limit: 2)
    let first = try await catalog.events(tenantID: defaultTenant, query: page)
    page.beforeID = first.last?.id
    let second = try await catalog.events(tenantID: defaultTenant, query: page)
    #expect(first.count == 2 && second.count == 2 && Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))

    #expect(try await catalog.deleteEvents(olderThanMs: 2500) == 3)
    #expect(try await catalog.events(tenantID: defaultTenant, query: EventQuery()).map(\.timeMs) == [3000])
    search.text = "discovered"
    #expect(try await catalog.events(tenantID: defaultTenant, query: search).isEmpty, "deleted events leave the search index too")
}
