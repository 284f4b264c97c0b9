import Foundation
import StrataCore
import Testing
@testable import StrataInventory

/// The import document's validation and reference resolution, without a database: every kind of bad input is
/// refused with a message naming its record, and a good document resolves to the ids agents' resources get.
struct ImportValidatorTests {
    static let day: Int64 = 86_400_000
    static let now: Int64 = 1_764_547_200_000  // 2025-12-01T00:00:00Z
    static let validator = ImportValidator(oldestMs: now - 730 * day, newestMs: now + 600_000)

    /// host → hypervisor → vm → guest platform → server → service, and a database the server depends on.
    static func topology() -> ImportDocument {
        ImportDocument(resources: [
            ImportResource(kind: "platform", key: "host-a"),
            ImportResource(kind: "hypervisor", key: "kvm-a", parent: "host-a"),
            ImportResource(kind: "vm", key: "crm-vm", placements: [ImportPlacement(hypervisor: "kvm-a", from: .text("2025-11-01T00:00:00Z"))]),
            ImportResource(kind: "platform", key: "crm-guest", relations: [ImportRelation(kind: "runs-in", target: "crm-vm")]),
            ImportResource(kind: "server", key: "crm-web", parent: "crm-guest", relations: [ImportRelation(kind: "depends-on", target: "crm-db")]),
            ImportResource(kind: "server", key: "crm-db", parent: "crm-guest"),
            ImportResource(kind: "service", key: "crm-app", parent: "crm-web"),
        ], series: [
            ImportSeries(resource: "crm-web", metric: "requests_total", type: "counter", labels: ["path": "/"],
                         samples: [ImportSample(time: .ms(now - 60_000), value: 1), ImportSample(time: .ms(now), value: 2)]),
        ])
    }

    /// The message `document` is refused with, validated and resolved against `inventory`.
    static func refusal(_ document: ImportDocument, inventory: ImportInventory = ImportInventory([])) -> String? {
        do {
            _ = try validator.validate(document).resolve(tenantID: "t1", inventory: inventory)
            return nil
        } catch {
            return error.description
        }
    }

    static func decoded(_ json: String) throws -> ImportDocument {
        try JSONDecoder().decode(ImportDocument.self, from: Data(json.utf8))
    }

    @Test func aTopologyResolvesToTheIDsAgentsResourcesGetWithGuestsUnderTheirVMs() throws {
        let resolved = try Self.validator.validate(Self.topology()).resolve(tenantID: "t1", inventory: ImportInventory([]))
        let byKey = Dictionary(uniqueKeysWithValues: resolved.resources.map { ($0.key, $0) })
        #expect(byKey["host-a"]?.id == StableID.resource(tenant: "t1", kind: .platform, key: "host-a").description)
        #expect(byKey["crm-vm"]?.parentID == byKey["kvm-a"]?.id)
        #expect(byKey["crm-guest"]?.parentID == byKey["crm-vm"]?.id)
        #expect(byKey["crm-guest"]?.relations.map(\.kind) == [.runsIn])
        #expect(byKey["crm-web"]?.relations.first?.targetID == byKey["crm-db"]?.id)
        #expect(byKey["crm-app"]?.platformID == byKey["crm-guest"]?.id)
        #expect(byKey["crm-vm"]?.platformID == byKey["host-a"]?.id)
        #expect(byKey["crm-vm"]?.earliestMs == Self.now - 30 * Self.day)
        #expect(resolved.series.first?.resourceID == byKey["crm-web"]?.id && resolved.series.first?.labels == ["path": "/"])
    }

    @Test func anUnknownKindIsRefusedNamingTheResource() {
        var document = Self.topology()
        document.resources[2].kind = "virtual-machine"
        #expect(Self.refusal(document)?.hasPrefix(#"resources[2] (key "crm-vm"): unknown kind "virtual-machine""#) == true)
    }

    @Test func aDuplicateKeyIsRefusedNamingBothRecords() {
        var document = Self.topology()
        document.resources.append(ImportResource(kind: "server", key: "crm-db"))
        #expect(Self.refusal(document) == #"resources[7] (key "crm-db"): duplicate key: resources[5] has the same key; give each resource once"#)
    }

    @Test func aParentMissingFromDocumentAndInventoryIsRefusedNamingTheResource() {
        var document = Self.topology()
        document.resources[1].parent = "host-9"
        #expect(Self.refusal(document) == #"resources[1] (key "kvm-a"): parent "host-9" is not in the document or the inventory"#)
    }

    @Test func aParentInTheInventoryIsFoundByKey() throws {
        var document = Self.topology()
        document.resources.remove(at: 0)
        let host = ImportInventory.Known(id: "00000000000000aa", kind: .platform, key: "host-a", name: "host-a", parentID: nil)
        let resolved = try Self.validator.validate(document).resolve(tenantID: "t1", inventory: ImportInventory([host]))
        #expect(resolved.resources[0].parentID == "00000000000000aa" && resolved.resources[0].platformID == "00000000000000aa")
    }

    @Test func aCycleThroughRunsInIsRefusedNamingTheResource() {
        var document = Self.topology()
        document.resources[0].relations = [ImportRelation(kind: "runs-in", target: "crm-vm")]  // the host runs in its own VM
        let message = Self.refusal(document)
        #expect(message?.contains("parent chain is a cycle") == true)
        #expect(message?.hasPrefix(#"resources[0] (key "host-a")"#) == true)
    }

    @Test func aCycleClosedThroughTheInventoryIsRefused() {
        // The inventory holds a VM on hypervisor kvm-x; the document puts kvm-x's host inside that VM.
        let vmID = StableID.resource(tenant: "t1", kind: .vm, key: "vm-x").description
        let hostID = StableID.resource(tenant: "t1", kind: .platform, key: "host-x").description
        let inventory = ImportInventory([
            .init(id: "hyp", kind: .hypervisor, key: "kvm-x", name: "kvm-x", parentID: hostID),
            .init(id: vmID, kind: .vm, key: "vm-x", name: "vm-x", parentID: "hyp"),
        ])
        let document = ImportDocument(resources: [ImportResource(kind: "platform", key: "host-x", parent: "vm-x")])
        #expect(Self.refusal(document, inventory: inventory)?.contains("cycle") == true)
    }

    @Test func aParentOfTheWrongKindIsRefused() {
        var document = Self.topology()
        document.resources[6].parent = "crm-guest"  // a service under a platform
        #expect(Self.refusal(document) == #"resources[6] (key "crm-app"): parent "crm-guest" is a platform; a service sits under server"#)
    }

    @Test func outOfOrderAndDuplicateTimesAreRefusedNamingSeriesAndIndex() {
        var document = Self.topology()
        document.series[0].samples = [ImportSample(time: .ms(Self.now), value: 1), ImportSample(time: .ms(Self.now - 1), value: 2)]
        #expect(Self.refusal(document)?.hasPrefix("series[0] samples[1]: out of order") == true)
        document.series[0].samples = [ImportSample(time: .ms(Self.now), value: 1), ImportSample(time: .text("2025-12-01T00:00:00Z"), value: 2)]
        #expect(Self.refusal(document)?.hasPrefix("series[0] samples[1]: duplicate time") == true)
    }

    @Test func nonFiniteValuesAreRefusedNamingSeriesAndIndex() throws {
        let document = try Self.decoded("""
            {"resources": [{"kind": "platform", "key": "h"}],
             "series": [{"resource": "h", "metric": "m", "samples": [[1764547100000, 1], [1764547200000, "NaN"]]},
                        {"resource": "h", "metric": "n", "samples": [[1764547200000, "+Inf"]]}]}
            """)
        #expect(Self.refusal(document)?.hasPrefix("series[0] samples[1]: value nan is not finite") == true)
        var second = document
        second.series.removeFirst()
        #expect(Self.refusal(second)?.hasPrefix("series[0] samples[0]: value inf is not finite") == true)
    }

    @Test func samplesThatAreNotPairsAreRefusedNamingSeriesAndIndex() throws {
        for sample in ["[1764547200000]", "[1764547200000, 1, 2]", "{\"t\": 1}", "[true, 1]"] {
            let document = try Self.decoded(#"{"resources": [{"kind": "platform", "key": "h"}], "series": [{"resource": "h", "metric": "m", "samples": [[1764547100000, 1], \#(sample)]}]}"#)
            #expect(Self.refusal(document) == "series[0] samples[1]: a sample is a [time, value] pair, the time in Unix ms or RFC 3339", "\(sample)")
        }
        let word = try Self.decoded(#"{"resources": [{"kind": "platform", "key": "h"}], "series": [{"resource": "h", "metric": "m", "samples": [[1764547100000, "high"]]}]}"#)
        #expect(Self.refusal(word) == #"series[0] samples[0]: value "high" is not a number"#)
    }

    @Test func timesOutsideTheStoresBoundsAreRefused() {
        var document = Self.topology()
        document.series[0].samples = [ImportSample(time: .ms(Self.now + Self.day), value: 1)]
        #expect(Self.refusal(document)?.contains("is in the future") == true)
        document.series[0].samples = [ImportSample(time: .text("1990-01-01T00:00:00Z"), value: 1)]
        #expect(Self.refusal(document)?.contains("longest retention") == true)
        document.series[0].samples = [ImportSample(time: .ms(.max), value: 1)]
        #expect(Self.refusal(document)?.hasPrefix("series[0] samples[0]: time:") == true)
        document.series[0].samples = [ImportSample(time: .text("yesterday"), value: 1)]
        #expect(Self.refusal(document)?.contains("neither Unix milliseconds nor an RFC 3339 time") == true)
    }

    @Test func aDuplicateSeriesIsRefusedNamingBoth() {
        var document = Self.topology()
        document.series.append(document.series[0])
        #expect(Self.refusal(document)?.hasPrefix("series[1]: duplicate series: series[0]") == true)
    }

    @Test func overlappingPlacementsAndAParentThatDisagreesAreRefused() {
        var document = Self.topology()
        document.resources.append(ImportResource(kind: "hypervisor", key: "kvm-b", parent: "host-a"))
        document.resources[2].placements = [ImportPlacement(hypervisor: "kvm-a", from: .ms(Self.now - 10 * Self.day), to: .ms(Self.now - 5 * Self.day)),
                                            ImportPlacement(hypervisor: "kvm-b", from: .ms(Self.now - 6 * Self.day))]
        #expect(Self.refusal(document)?.hasPrefix(#"resources[2] (key "crm-vm") placements[1]: starts before placements[0] ends"#) == true)
        document.resources[2].placements[1].from = .ms(Self.now - 5 * Self.day)
        document.resources[2].parent = "kvm-a"
        #expect(Self.refusal(document)?.contains("is not the hypervisor of the latest placement") == true)
        document.resources[2].parent = nil
        #expect(Self.refusal(document) == nil)
        document.resources[2].placements[1].to = .ms(Self.now + Self.day)
        #expect(Self.refusal(document)?.hasPrefix(#"resources[2] (key "crm-vm") placements[1]: reaches into the future"#) == true)
    }

    @Test func relationsOfUnknownKindsOrToUnknownTargetsAreRefused() {
        var document = Self.topology()
        document.resources[4].relations = [ImportRelation(kind: "talks-to", target: "crm-db")]
        #expect(Self.refusal(document)?.hasPrefix(#"resources[4] (key "crm-web") relations[0]: unknown relation kind "talks-to""#) == true)
        document.resources[4].relations = [ImportRelation(kind: "depends-on", target: "nowhere")]
        #expect(Self.refusal(document) == #"resources[4] (key "crm-web") relations[0]: target "nowhere" is not in the document or the inventory"#)
    }

    @Test func unknownFieldsAndReservedLabelsAreRefused() throws {
        let typo = try Self.decoded(#"{"resources": [{"kind": "platform", "key": "h", "parnet": "x"}]}"#)
        #expect(Self.refusal(typo)?.contains(#"unknown field "parnet""#) == true)
        let nested = try Self.decoded(#"{"resources": [{"kind": "vm", "key": "v", "placements": [{"hypervisor": "k", "from": 0, "until": 5}]}]}"#)
        #expect(Self.refusal(nested) == #"resources[0] (key "v") placements[0]: unknown field "until"; a placement has hypervisor, from and to"#)
        var document = Self.topology()
        document.series[0].labels = ["resource_id": "x"]
        #expect(Self.refusal(document)?.hasPrefix(#"series[0]: label "resource_id" is set by Strata"#) == true)
    }

    @Test func countsAboveTheLimitsAreRefusedAsTooLarge() {
        var validator = Self.validator
        validator.limits.resources = 3
        do {
            _ = try validator.validate(Self.topology())
            Issue.record("a document above the limit was accepted")
        } catch {
            #expect(error.tooLarge && error.record == "resources")
        }
    }

    @Test func openMetricsTextWithTimestampsBecomesSeriesAndOneWithoutIsRefused() throws {
        var document = Self.topology()
        document.openmetrics = [ImportOpenMetrics(resource: "crm-db", text: """
            # TYPE queries counter
            queries_total{db="crm"} 10 1764547140
            queries_total{db="crm"} 12 1764547200.000
            # EOF
            """)]
        let plan = try Self.validator.validate(document)
        let series = try #require(plan.series.last)
        #expect(series.metric == "queries_total" && series.type == .counter && series.labels == ["db": "crm"])
        #expect(series.samples == [Sample(1_764_547_140_000, 10), Sample(1_764_547_200_000, 12)])
        document.openmetrics[0].text = "queries_total 10\n"
        #expect(Self.refusal(document)?.hasPrefix("openmetrics[0] line 1: no timestamp") == true)
        document.openmetrics[0].text = "queries_total 10 1764547200\nqueries_total 9 1764547140\n"
        #expect(Self.refusal(document)?.hasPrefix(#"openmetrics[0] series queries_total{} samples[1]: out of order"#) == true)
    }

    @Test func rfc3339TimesWithOffsetsAndFractionsConvert() {
        #expect(ImportTime.rfc3339("1970-01-01T00:00:00Z") == 0)
        #expect(ImportTime.rfc3339("2025-12-01T02:00:00.250+02:00") == Self.now + 250)
        #expect(ImportTime.rfc3339("2024-02-29T00:00:00Z") == 1_709_164_800_000)
        #expect(ImportTime.rfc3339("2023-02-29T00:00:00Z") == nil)
        #expect(ImportTime.rfc3339("2025-12-01T00:00:00") == nil)
        #expect(ImportTime.rfc3339("9999-12-31T23:59:59.999Z") == ImportTime.latestMs)
    }

    @Test func theExampleOfDocsImportIsAccepted() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../docs/import.md").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let start = try #require(text.range(of: "```json\n"))
        let end = try #require(text.range(of: "\n```", range: start.upperBound..<text.endIndex))
        let document = try Self.decoded(String(text[start.upperBound..<end.lowerBound]))
        let validator = ImportValidator(oldestMs: 0, newestMs: ImportTime.latestMs)
        let resolved = try validator.validate(document).resolve(tenantID: "t1", inventory: ImportInventory([]))
        #expect(resolved.resources.count == 9 && resolved.series.count == 3)
        #expect(resolved.resources.first { $0.key == "crm-guest" }?.parentID == resolved.resources.first { $0.kind == .vm }?.id)
    }
}
