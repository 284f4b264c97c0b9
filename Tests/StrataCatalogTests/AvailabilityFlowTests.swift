import Testing
import StrataCore
import StrataInventory
@testable import StrataCatalog

/// A batch of platform `machine-id:1` with a Redis server and its keyspace service `db3`: the server's `up` as
/// given (nil: no reading), each measured or not.
private func redisBatch(sequence: UInt64, now: Int64, serverUp: Bool?, measured: Bool = true) -> BatchRecord {
    var batch = platformBatch(sequence: sequence, now: now, properties: nil)
    let platform = batch.resources[0].id
    let server = StableID.resource(tenant: defaultTenant, kind: .server, key: "machine-id:1/redis:6379").description
    let service = StableID.resource(tenant: defaultTenant, kind: .service, key: "machine-id:1/redis:6379/db3").description
    batch.resources.append(ResolvedResource(id: server, kind: .server, naturalKey: "machine-id:1/redis:6379", name: "redis :6379",
                                            parentID: platform, propertiesJSON: nil))
    batch.resources.append(ResolvedResource(id: service, kind: .service, naturalKey: "machine-id:1/redis:6379/db3", name: "db3",
                                            parentID: server, propertiesJSON: nil))
    if let serverUp { batch.upReadings[server] = serverUp }
    if measured {
        batch.series += [server, service].map { id in
            SeriesRecord(id: StableID.series(resource: StableID(hex: id)!, metric: "m", labels: Labels()), tenantID: defaultTenant,
                         resourceID: id, metric: "m", type: .gauge, labels: Labels())
        }
    }
    return batch
}

private func availability(_ catalog: SQLiteCatalog, _ name: String) async throws -> Availability? {
    try await catalog.resources(tenantID: defaultTenant, query: ResourceQuery()).first { $0.name == name }?.availability
}

/// Issue 17: a service (`db3`) stayed up while its Redis server and its platform were down.
@Test func availabilityFlowsDownFromAStoppedServerAndASilentPlatform() async throws {
    let catalog = try await makeCatalog()
    _ = try await catalog.record(batch: redisBatch(sequence: 1, now: 1000, serverUp: true))
    #expect(try await availability(catalog, "db3") == .up)

    let stopped = try await catalog.record(batch: redisBatch(sequence: 2, now: 2000, serverUp: false))
    #expect(try await availability(catalog, "redis :6379") == .down)
    #expect(try await availability(catalog, "db3") == .down, "a service of a stopped server is not up")
    #expect(stopped.contains { $0.message == "service db3 is down: its server redis :6379 is down" })

    // A batch that only names the server (to own log lines) says nothing about whether it runs.
    _ = try await catalog.record(batch: redisBatch(sequence: 3, now: 3000, serverUp: nil, measured: false))
    #expect(try await availability(catalog, "redis :6379") == .down)

    _ = try await catalog.record(batch: redisBatch(sequence: 4, now: 4000, serverUp: true))
    #expect(try await availability(catalog, "db3") == .up)

    // The platform's agent falls silent: nothing below the platform is known to run any more.
    let silent = try await catalog.markOverdueAgents(nowMs: 10_000, missedIntervals: 3, notBeforeMs: 0)
    #expect(try await availability(catalog, "h1") == .down)
    #expect(try await availability(catalog, "redis :6379") == .unknown)
    #expect(try await availability(catalog, "db3") == .unknown)
    #expect(silent.filter { $0.message.hasSuffix("the agent of its platform h1 is silent") }.count == 2)

    _ = try await catalog.record(batch: redisBatch(sequence: 5, now: 11_000, serverUp: true))
    #expect(try await availability(catalog, "h1") == .up)
    #expect(try await availability(catalog, "redis :6379") == .up)
    #expect(try await availability(catalog, "db3") == .up)
}
