import Testing
import StrataCore
@testable import StrataCatalog

/// A batch of the platform `machine-id:1` (with a NIC address) and servers below it.
private func serversBatch(sequence: UInt64, now: Int64, servers: [(key: String, properties: String)]) -> BatchRecord {
    var batch = platformBatch(sequence: sequence, now: now,
                              properties: #"{"hostname":"h1","nics":[{"name":"eth0","addresses":["10.1.2.3/24","fe80::1/64"]}]}"#)
    let platformID = batch.resources[0].id
    for server in servers {
        let id = StableID.resource(tenant: defaultTenant, kind: .server, key: "machine-id:1/" + server.key).description
        batch.resources.append(ResolvedResource(id: id, kind: .server, naturalKey: "machine-id:1/" + server.key, name: server.key,
                                                parentID: platformID, propertiesJSON: server.properties))
    }
    return batch
}

@Test func connectionsBecomeDependsOnEdgesByLoopbackOrPlatformAddress() async throws {
    let catalog = try await makeCatalog()
    let database = (key: "mysql:3306", properties: #"{"type":"mariadb","ports":[3306],"connections":[]}"#)
    let cache = (key: "redis:6379", properties: #"{"type":"redis","ports":[6379],"connections":[]}"#)
    let app = (key: "tomcat:/srv", properties: #"{"type":"tomcat","ports":[8080],"connections":["127.0.0.1:3306","10.1.2.3:6379","192.0.2.9:5432"]}"#)
    let events = try await catalog.record(batch: serversBatch(sequence: 1, now: 1000, servers: [database, cache, app]))
    let relationEvents = events.filter { $0.kind == "relation" }.map(\.message).sorted()
    #expect(relationEvents == ["server tomcat:/srv depends on mysql:3306 (connection to 127.0.0.1:3306)",
                               "server tomcat:/srv depends on redis:6379 (connection to 10.1.2.3:6379)"],
            "loopback resolves on the same platform, an address through the platform that owns it; an unknown address makes no edge")
    let appID = StableID.resource(tenant: defaultTenant, kind: .server, key: "machine-id:1/tomcat:/srv").description
    let edges = try await catalog.relations(tenantID: defaultTenant, resourceID: appID)
    #expect(edges.count == 2 && edges.allSatisfy { $0.kind == "depends-on" && $0.sourceID == appID && $0.active })

    // The connection to the cache closes: the edge stays, inactive, and no new event is raised for the other.
    let fewer = (key: app.key, properties: #"{"type":"tomcat","ports":[8080],"connections":["127.0.0.1:3306"]}"#)
    let later = try await catalog.record(batch: serversBatch(sequence: 2, now: 2000, servers: [database, cache, fewer]))
    #expect(later.filter { $0.kind == "relation" }.isEmpty)
    let after = try await catalog.relations(tenantID: defaultTenant, resourceID: appID)
    #expect(after.filter(\.active).map(\.evidence) == ["connection to 127.0.0.1:3306"])
    #expect(after.count == 2, "an edge no longer seen is kept, marked inactive")
    #expect(try await catalog.relations(tenantID: "other", resourceID: appID).isEmpty, "tenants see only their edges")
}

@Test func changedPropertiesAreAnEventNamingWhatChanged() async throws {
    let catalog = try await makeCatalog()
    let v1 = (key: "redis:6379", properties: #"{"type":"redis","version":"7.0.11","ports":[6379],"connections":[]}"#)
    _ = try await catalog.record(batch: serversBatch(sequence: 1, now: 1000, servers: [v1]))
    let churn = (key: "redis:6379", properties: #"{"type":"redis","version":"7.0.11","ports":[6379],"connections":["127.0.0.1:1"]}"#)
    #expect(try await catalog.record(batch: serversBatch(sequence: 2, now: 2000, servers: [churn])).filter { $0.kind == "changed" }.isEmpty,
            "connections come and go: not a configuration change")
    let v2 = (key: "redis:6379", properties: #"{"type":"redis","version":"7.0.15","ports":[6379,6380],"role":"master"}"#)
    let events = try await catalog.record(batch: serversBatch(sequence: 3, now: 3000, servers: [v2]))
    #expect(events.filter { $0.kind == "changed" }.map(\.message) == ["server redis:6379 changed: ports; role (none) → master; version 7.0.11 → 7.0.15"])
}
