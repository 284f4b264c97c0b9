import GRDB
import StrataCore
import StrataInventory
import Testing
@testable import StrataCatalog

/// The VMs' home history behind `strata_placement_info`: rebuilt from placements when a catalog from before it is
/// upgraded, and kept by the catalog from then on.
struct HomeHistoryTests {
    @Test func aCatalogFromBeforeHomeHistoryGetsOneRebuiltFromItsPlacements() async throws {
        let path = temporaryPath("homes")
        try FileSupport.makeDirectory("/tmp/strata-tests")
        do {
            let old = try DatabaseQueue(path: path)
            try CatalogMigrations.migrator.migrate(old, upTo: "2026-12-03-failover")
            try await old.write { db in
                try db.execute(sql: "INSERT INTO tenants (id, name, created_ms) VALUES ('default', 'Default', 0)")
                for (id, kind, parent) in [("hostA", "platform", nil), ("hypA", "hypervisor", "hostA"), ("hostB", "platform", nil),
                                           ("hypB", "hypervisor", "hostB"), ("vm1", "vm", "hypB")] as [(String, String, String?)] {
                    try db.execute(sql: """
                        INSERT INTO resources (id, tenant_id, kind, natural_key, name, parent_id, created_ms, updated_ms) VALUES (?, 'default', ?, ?, ?, ?, 100, 100)
                        """, arguments: [id, kind, id, id, parent])
                }
                // Listed by A, then migrated to B: B's incoming copy opened before A let it go.
                try db.execute(sql: "INSERT INTO placements (tenant_id, vm_id, hypervisor_id, from_ms, to_ms) VALUES ('default', 'vm1', 'hypA', 100, 520)")
                try db.execute(sql: "INSERT INTO placements (tenant_id, vm_id, hypervisor_id, from_ms, to_ms) VALUES ('default', 'vm1', 'hypB', 480, NULL)")
            }
        }
        let catalog = try SQLiteCatalog(path: path)
        let directory = try await catalog.crossLayerDirectory(tenantID: "default")
        let placements = directory.infoSeries.filter { $0.labels["__name__"] == CrossLayerDirectory.placementInfo }
        #expect(placements.map { $0.labels["host"] } == ["hostA", "hostB"])
        #expect(placements.map(\.spans) == [[InfoSeries.Span(fromMs: 100, toMs: 520)], [InfoSeries.Span(fromMs: 520, toMs: nil)]])
        #expect(try await catalog.crossLayerDirectory(tenantID: "other").infoSeries.isEmpty, "another tenant has none of it")
    }
}
