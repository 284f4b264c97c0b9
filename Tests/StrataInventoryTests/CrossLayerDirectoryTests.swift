import StrataCore
import Testing
@testable import StrataInventory

/// PromQL's cross-layer view of an inventory without a database: which labels each resource's series get, the info
/// series and their samples, and home histories rebuilt from placements.
struct CrossLayerDirectoryTests {
    typealias Resource = CrossLayerDirectory.Resource

    /// host ⊃ hypervisor ⊃ vm ⊃ guest ⊃ nginx ⊃ site; a container on the guest; a second host with a hypervisor.
    static let resources = [
        Resource(id: "hostA", kind: .platform, name: "host-a", parentID: nil, fromMs: 0, toMs: nil),
        Resource(id: "hypA", kind: .hypervisor, name: "kvm-a", parentID: "hostA", fromMs: 0, toMs: nil),
        Resource(id: "hostB", kind: .platform, name: "host-b", parentID: nil, fromMs: 0, toMs: nil),
        Resource(id: "hypB", kind: .hypervisor, name: "kvm-b", parentID: "hostB", fromMs: 0, toMs: nil),
        Resource(id: "vm1", kind: .vm, name: "crm-web", parentID: "hypB", fromMs: 100, toMs: nil),
        Resource(id: "guest", kind: .platform, name: "crm-web.lan", parentID: "vm1", fromMs: 100, toMs: nil),
        Resource(id: "nginx", kind: .server, name: "nginx", parentID: "guest", fromMs: 100, toMs: nil),
        Resource(id: "site", kind: .service, name: "site", parentID: "nginx", fromMs: 100, toMs: 900),
        Resource(id: "box", kind: .container, name: "redis", parentID: "guest", fromMs: 100, toMs: nil),
    ]
    static let homes = [HomeSpan(vmID: "vm1", hypervisorID: "hypA", fromMs: 100, toMs: 500),
                        HomeSpan(vmID: "vm1", hypervisorID: "hypB", fromMs: 500, toMs: nil)]

    static func labels(_ directory: CrossLayerDirectory, _ id: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (directory.derived[id] ?? []).map { ($0.name, $0.value) })
    }

    @Test func labelsThatHoldForASeriesLifeAreDerivedAndWhereAVMRunsIsNot() {
        let directory = CrossLayerDirectory(resources: Self.resources, homes: Self.homes)
        #expect(Self.labels(directory, "hostA") == ["platform": "hostA"])
        #expect(Self.labels(directory, "hypA") == ["platform": "hostA", "hypervisor": "hypA", "host": "hostA"])
        #expect(Self.labels(directory, "vm1") == ["vm": "vm1"], "a VM's hypervisor and host change with migration")
        #expect(Self.labels(directory, "guest") == ["platform": "guest", "vm": "vm1"])
        #expect(Self.labels(directory, "nginx") == ["platform": "guest", "vm": "vm1"])
        #expect(Self.labels(directory, "site") == ["platform": "guest", "vm": "vm1"])
        #expect(Self.labels(directory, "box") == ["platform": "guest", "vm": "vm1"])
    }

    @Test func enrichmentAddsDerivedLabelsToStrataSeriesOnlyAndReplacesStoredOnesOfTheSameName() {
        let directory = CrossLayerDirectory(resources: Self.resources, homes: Self.homes)
        let series: Labels = ["__name__": "nginx_requests_total", "resource_id": "nginx", "platform": "stored"]
        #expect(directory.enriched(series) == ["__name__": "nginx_requests_total", "resource_id": "nginx", "platform": "guest", "vm": "vm1"])
        let foreign: Labels = ["__name__": "up", "job": "node", "platform": "x"]
        #expect(directory.enriched(foreign) == foreign, "a series without a resource of the tenant is left as stored")
        let unknown: Labels = ["__name__": "up", "resource_id": "elsewhere"]
        #expect(directory.enriched(unknown) == unknown)
    }

    @Test func placementInfoHasOneSeriesPerHomeWithTheHostAndEndsWhenTheVMIsRemoved() {
        var resources = Self.resources
        resources[4].toMs = 800
        let directory = CrossLayerDirectory(resources: resources, homes: Self.homes)
        let placements = directory.infoSeries.filter { $0.labels["__name__"] == CrossLayerDirectory.placementInfo }
        #expect(placements.map(\.labels) == [
            ["__name__": "strata_placement_info", "vm": "vm1", "hypervisor": "hypA", "hypervisor_name": "kvm-a", "host": "hostA", "host_name": "host-a"],
            ["__name__": "strata_placement_info", "vm": "vm1", "hypervisor": "hypB", "hypervisor_name": "kvm-b", "host": "hostB", "host_name": "host-b"],
        ])
        #expect(placements.map(\.spans) == [[InfoSeries.Span(fromMs: 100, toMs: 500)], [InfoSeries.Span(fromMs: 500, toMs: 800)]])
    }

    @Test func aVMThatComesBackToItsFirstHostHasOneSeriesThereWithTwoSpans() {
        let homes = Self.homes.dropLast() + [HomeSpan(vmID: "vm1", hypervisorID: "hypB", fromMs: 500, toMs: 700),
                                             HomeSpan(vmID: "vm1", hypervisorID: "hypA", fromMs: 700, toMs: nil)]
        let directory = CrossLayerDirectory(resources: Self.resources, homes: Array(homes))
        let onA = directory.infoSeries.first { $0.labels["__name__"] == CrossLayerDirectory.placementInfo && $0.labels["hypervisor"] == "hypA" }
        #expect(onA?.spans == [InfoSeries.Span(fromMs: 100, toMs: 500), InfoSeries.Span(fromMs: 700, toMs: nil)])
    }

    @Test func resourceInfoDescribesEveryResourceOverItsLifetimeWithItsParentExceptAVMs() {
        let directory = CrossLayerDirectory(resources: Self.resources, homes: Self.homes)
        let info = directory.infoSeries.filter { $0.labels["__name__"] == CrossLayerDirectory.resourceInfo }
        #expect(info.count == Self.resources.count)
        let site = info.first { $0.labels["resource_id"] == "site" }
        #expect(site?.labels == ["__name__": "strata_resource_info", "resource_id": "site", "resource_kind": "service", "resource_name": "site",
                                 "platform": "guest", "vm": "vm1", "parent": "nginx"])
        #expect(site?.spans == [InfoSeries.Span(fromMs: 100, toMs: 900)])
        #expect(info.first { $0.labels["resource_id"] == "vm1" }?.labels["parent"] == nil, "a VM's parent is its home: strata_placement_info")
    }

    @Test func infoSamplesStartAtTheSpanRepeatOnTheCadenceAndEndInAStalenessMarker() {
        let series = InfoSeries(labels: ["__name__": "x"], spans: [InfoSeries.Span(fromMs: 130, toMs: 370)])
        let samples = series.samples(fromMs: 0, toMs: 1000, cadenceMs: 100)
        #expect(samples.map(\.timestampMs) == [130, 200, 300, 370])
        #expect(samples.dropLast().allSatisfy { $0.value == 1 } && samples.last?.isStaleMarker == true)
        #expect(series.sampleCount(fromMs: 0, toMs: 1000, cadenceMs: 100) == 4)
        // A window inside the span: only the multiples of the cadence within it, the same as the wider window's.
        #expect(series.samples(fromMs: 150, toMs: 320, cadenceMs: 100).map(\.timestampMs) == [200, 300])
        #expect(series.sampleCount(fromMs: 150, toMs: 320, cadenceMs: 100) == 2)
        let open = InfoSeries(labels: ["__name__": "x"], spans: [InfoSeries.Span(fromMs: 200, toMs: nil)])
        #expect(open.samples(fromMs: 0, toMs: 450, cadenceMs: 100).map(\.timestampMs) == [200, 300, 400])
        #expect(open.sampleCount(fromMs: .min, toMs: .max, cadenceMs: 100) > 1 << 40, "counted without making them, and without trapping")
        #expect(!open.overlaps(fromMs: 0, toMs: 199) && open.overlaps(fromMs: 0, toMs: 200))
    }

    @Test func spansThatTouchOrOverlapAreJoined() {
        let spans = [InfoSeries.Span(fromMs: 50, toMs: 60), InfoSeries.Span(fromMs: 0, toMs: 10), InfoSeries.Span(fromMs: 10, toMs: 20),
                     InfoSeries.Span(fromMs: 55, toMs: nil)]
        #expect(InfoSeries.merged(spans) == [InfoSeries.Span(fromMs: 0, toMs: 20), InfoSeries.Span(fromMs: 50, toMs: nil)])
    }

    @Test func aHomeHistoryRebuiltFromPlacementsFollowsTheEarliestListingAndIgnoresOpenStandbys() {
        let listings = [
            HomeTimeline.Listing(hypervisorID: "A", fromMs: 100, toMs: 520),  // the source, let go after the switch-over
            HomeTimeline.Listing(hypervisorID: "B", fromMs: 480, toMs: nil),  // the destination, now the home
            HomeTimeline.Listing(hypervisorID: "C", fromMs: 50, toMs: nil),   // a standby definition on shared storage
        ]
        #expect(HomeTimeline.rebuild(vmID: "v", listings: listings, currentHome: "B") == [
            HomeSpan(vmID: "v", hypervisorID: "A", fromMs: 100, toMs: 520), HomeSpan(vmID: "v", hypervisorID: "B", fromMs: 520, toMs: nil),
        ])
        let back = [HomeTimeline.Listing(hypervisorID: "A", fromMs: 0, toMs: 10), HomeTimeline.Listing(hypervisorID: "A", fromMs: 10, toMs: nil)]
        #expect(HomeTimeline.rebuild(vmID: "v", listings: back, currentHome: "A") == [HomeSpan(vmID: "v", hypervisorID: "A", fromMs: 0, toMs: nil)])
        #expect(HomeTimeline.rebuild(vmID: "v", listings: [], currentHome: "A").isEmpty)
    }
}
