import Testing
import StrataCore
@testable import StrataCatalog

func temporaryPath(_ name: String) -> String {
    var generator = SystemRandomNumberGenerator()
    return "/tmp/strata-tests/\(name)-\(generator.next() % 1_000_000_000).sqlite"
}

func makeCatalog() async throws -> SQLiteCatalog {
    try FileSupport.makeDirectory("/tmp/strata-tests")
    let catalog = try SQLiteCatalog(path: temporaryPath("catalog"))
    _ = try await catalog.bootstrap(adminPasswordHash: "x", agentTokenHash: "agent-hash", nowMs: 1)
    return catalog
}

func platformBatch(agent: String = "agent-1", sequence: UInt64, now: Int64, properties: String? = "{\"hostname\":\"h1\"}") -> BatchRecord {
    let platformID = StableID.resource(tenant: defaultTenant, kind: .platform, key: "machine-id:1").description
    let series = SeriesRecord(id: StableID.series(resource: StableID(hex: platformID)!, metric: "uptime_seconds", labels: [:]),
                              tenantID: defaultTenant, resourceID: platformID, metric: "uptime_seconds", type: .gauge, labels: [:])
    return BatchRecord(tenantID: defaultTenant, agentID: agent, sequence: sequence, intervalMs: 1000, agentVersion: "t",
                       platformID: platformID,
                       resources: [ResolvedResource(id: platformID, kind: .platform, naturalKey: "machine-id:1", name: "h1",
                                                    parentID: nil, propertiesJSON: properties)],
                       series: [series], receivedMs: now)
}

@Test func migrationsAreNamedAndAppliedOnce() async throws {
    let path = temporaryPath("migrations")
    try FileSupport.makeDirectory("/tmp/strata-tests")
    let first = try SQLiteCatalog(path: path)
    #expect(try first.appliedMigrations() == ["2026-11-21-initial", "2026-11-22-security", "2026-11-22-groups", "2026-11-22-relations", "2026-11-22-placements", "2026-11-22-discovery-queue", "2026-11-22-event-search", "2026-11-22-logs-and-configs", "2026-12-02-enrollment-approval", "2026-12-02-placement-state", "2026-12-02-metric-metadata", "2026-12-02-removal", "2026-12-02-alerting", "2026-12-02-control", "2026-12-03-schedules", "2026-12-03-failover", "2026-12-03-vm-homes"])
    let again = try SQLiteCatalog(path: path)
    #expect(try again.appliedMigrations() == ["2026-11-21-initial", "2026-11-22-security", "2026-11-22-groups", "2026-11-22-relations", "2026-11-22-placements", "2026-11-22-discovery-queue", "2026-11-22-event-search", "2026-11-22-logs-and-configs", "2026-12-02-enrollment-approval", "2026-12-02-placement-state", "2026-12-02-metric-metadata", "2026-12-02-removal", "2026-12-02-alerting", "2026-12-02-control", "2026-12-03-schedules", "2026-12-03-failover", "2026-12-03-vm-homes"])
}

@Test func bootstrapHappensOnlyOnce() async throws {
    let catalog = try await makeCatalog()
    #expect(try await catalog.bootstrap(adminPasswordHash: "y", agentTokenHash: "z", nowMs: 2) == false)
    #expect(try await catalog.user(named: "admin", tenantID: defaultTenant)?.passwordHash == "x")
    #expect(try await catalog.credential(tokenHash: "agent-hash", kinds: [.enrollment], nowMs: 3)?.principal.kind == .enrollment)
    #expect(try await catalog.credential(tokenHash: "agent-hash", kinds: [.api], nowMs: 3) == nil, "an enrollment token is no API token")
}

@Test func expiredTokensAreRefused() async throws {
    let catalog = try await makeCatalog()
    _ = try await catalog.createToken(NewToken(tenantID: defaultTenant, userID: 1, kind: .api, name: "ci", tokenHash: "h",
                                               expiresMs: 100), nowMs: 1)
    #expect(try await catalog.credential(tokenHash: "h", kinds: [.api], nowMs: 99)?.principal.role == .admin)
    #expect(try await catalog.credential(tokenHash: "h", kinds: [.api], nowMs: 100) == nil)
}

@Test func firstBatchDiscoversThePlatformAndKeepsProperties() async throws {
    let catalog = try await makeCatalog()
    let events = try await catalog.record(batch: platformBatch(sequence: 1, now: 1000))
    #expect(events.map(\.kind) == ["discovered"])
    #expect(try await catalog.record(batch: platformBatch(sequence: 2, now: 2000, properties: nil)).isEmpty)
    let resources = try await catalog.resources(tenantID: defaultTenant, query: ResourceQuery(kind: .platform))
    #expect(resources.count == 1)
    #expect(resources.first?.propertiesJSON == "{\"hostname\":\"h1\"}", "a batch without properties keeps the stored ones")
    #expect(resources.first?.availability == .up)
    #expect(try await catalog.agent(id: "agent-1")?.lastSequence == 2)
    #expect(try await catalog.resources(tenantID: "other", query: ResourceQuery()).isEmpty, "tenants see only their rows")
}

@Test func platformGoesDownAfterMissedIntervalsAndUpWhenItReturns() async throws {
    let catalog = try await makeCatalog()
    _ = try await catalog.record(batch: platformBatch(sequence: 1, now: 10_000))
    #expect(try await catalog.markOverdueAgents(nowMs: 13_000, missedIntervals: 3, notBeforeMs: 0).isEmpty)
    let down = try await catalog.markOverdueAgents(nowMs: 13_001, missedIntervals: 3, notBeforeMs: 0)
    #expect(down.map(\.kind) == ["availability"])
    #expect(down.first?.severity == .warning)
    #expect(try await catalog.markOverdueAgents(nowMs: 20_000, missedIntervals: 3, notBeforeMs: 0).isEmpty, "down is reported once")
    let resource = try await catalog.resources(tenantID: defaultTenant, query: ResourceQuery()).first
    #expect(resource?.availability == .down)
    let up = try await catalog.record(batch: platformBatch(sequence: 2, now: 21_000))
    #expect(up.map(\.message).first?.contains("is up") == true)
    #expect(try await catalog.resources(tenantID: defaultTenant, query: ResourceQuery()).first?.availability == .up)
    let timeline = try await catalog.events(tenantID: defaultTenant, query: EventQuery(resourceID: resource?.id))
    #expect(timeline.map(\.kind) == ["availability", "availability", "discovered"])
}

@Test func serverRestartGivesAgentsAGracePeriod() async throws {
    let catalog = try await makeCatalog()
    _ = try await catalog.record(batch: platformBatch(sequence: 1, now: 10_000))
    #expect(try await catalog.markOverdueAgents(nowMs: 60_000, missedIntervals: 3, notBeforeMs: 59_000).isEmpty)
    #expect(try await catalog.markOverdueAgents(nowMs: 62_001, missedIntervals: 3, notBeforeMs: 59_000).count == 1)
}

@Test func auditLogIsAppendOnly() async throws {
    let catalog = try await makeCatalog()
    try await catalog.appendAudit([AuditRecord(tenantID: defaultTenant, timeMs: 1, actor: "ana", action: "login")])
    await #expect(throws: (any Error).self, "UPDATE is refused") {
        try await catalog.pool.write { try $0.execute(sql: "UPDATE audit SET actor = 'mallory'") }
    }
    await #expect(throws: (any Error).self, "DELETE is refused") {
        try await catalog.pool.write { try $0.execute(sql: "DELETE FROM audit") }
    }
    #expect(try await catalog.audit(tenantID: defaultTenant, query: AuditQuery()).map(\.actor) == ["ana"])
    #expect(try await catalog.audit(tenantID: "other", query: AuditQuery()).isEmpty)
}

@Test func enrollmentBindsAnAgentToItsPlatformAndRevocationSticks() async throws {
    let catalog = try await makeCatalog()
    _ = try await catalog.enrollAgent(tenantID: defaultTenant, agentID: "a1", platformID: "p1", tokenHash: "c1", holderCredentialHash: nil, nowMs: 10)
    let bound = try await catalog.credential(tokenHash: "c1", kinds: [.agent], nowMs: 11)?.principal
    #expect(bound?.agentID == "a1" && bound?.platformID == "p1" && bound?.kind == .agent)
    #expect(try await catalog.markOverdueAgents(nowMs: 1_000_000, missedIntervals: 3, notBeforeMs: 0).isEmpty,
            "an agent that never reported has no interval and is never overdue")
    _ = try await catalog.enrollAgent(tenantID: defaultTenant, agentID: "a1", platformID: "p1", tokenHash: "c2", holderCredentialHash: nil, nowMs: 12)
    #expect(try await catalog.credential(tokenHash: "c1", kinds: [.agent], nowMs: 13) == nil, "re-enrolling replaces the credential")
    #expect(try await catalog.revokeAgent(tenantID: defaultTenant, id: "a1", nowMs: 14))
    #expect(try await catalog.credential(tokenHash: "c2", kinds: [.agent], nowMs: 15) == nil)
    await #expect(throws: EnrollmentError.agentRevoked("a1")) {
        try await catalog.enrollAgent(tenantID: defaultTenant, agentID: "a1", platformID: "p1", tokenHash: "c3", holderCredentialHash: nil, nowMs: 16)
    }
    await #expect(throws: EnrollmentError.foreignAgent("a1")) {
        try await catalog.enrollAgent(tenantID: "other", agentID: "a1", platformID: "p1", tokenHash: "c4", holderCredentialHash: nil, nowMs: 17)
    }
}
