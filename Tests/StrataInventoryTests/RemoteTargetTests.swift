import StrataCore
import Testing
@testable import StrataInventory

/// Issue 17: remote-written series join the server or platform an agent found for their target, and are typed
/// from Prometheus's metadata or their names.
struct RemoteTargetTests {
    static let web = TargetMatcher.Platform(id: "p-web", name: "web1", properties: .map([
        ("hostname", .string("web1.example.com")),
        ("nics", .list([.map([("name", .string("eth0")), ("addresses", .list([.string("10.0.0.5/24"), .string("fe80::1/64")]))])]))]))
    static let db = TargetMatcher.Platform(id: "p-db", name: "db1", properties: .map([]))
    static let prometheus = TargetMatcher.Server(id: "s-prom", platformID: "p-web", properties: .map([("ports", .list([.int(9090)]))]))
    static let node = TargetMatcher.Server(id: "s-node", platformID: "p-web", properties: .map([("ports", .list([.int(9100)]))]))
    static let nodeOnDB = TargetMatcher.Server(id: "s-node-db", platformID: "p-db", properties: .map([("ports", .list([.int(9100)]))]))

    func owner(_ instance: String, job: String = "j") -> TargetMatcher.Owner {
        TargetMatcher.owner(of: ScrapeTarget(job: job, instance: instance), platforms: [Self.web, Self.db],
                            servers: [Self.prometheus, Self.node, Self.nodeOnDB])
    }

    @Test func aTargetJoinsTheServerListeningOnItsPortOnThePlatformItsHostNames() {
        #expect(owner("web1:9090") == .server(id: "s-prom"))
        #expect(owner("WEB1.example.com:9100") == .server(id: "s-node"), "host names match case-insensitively, long or short")
        #expect(owner("10.0.0.5:9100") == .server(id: "s-node"), "an interface address names its platform")
        #expect(owner("db1:9100") == .server(id: "s-node-db"))
        #expect(owner("[fe80::1]:9090") == .server(id: "s-prom"))
    }

    @Test func aTargetWithoutAMatchingServerJoinsItsPlatformAndAnUnknownHostIsASource() {
        #expect(owner("db1:8080") == .platform(id: "p-db"))
        #expect(owner("web1") == .platform(id: "p-web"))
        #expect(owner("elsewhere:9100") == .source)
        #expect(TargetMatcher.owner(of: ScrapeTarget(job: "j", instance: nil), platforms: [Self.web], servers: []) == .source)
    }

    @Test func aLoopbackTargetJoinsTheOneServerOnItsPortAndIsASourceWhenTwoOrNoneListen() {
        #expect(owner("127.0.0.1:9090") == .server(id: "s-prom"), "Prometheus's self-scrape joins the Prometheus an agent found")
        #expect(owner("localhost:9100") == .source, "two platforms run a server on 9100: which one is unknown")
        #expect(owner("[::1]:9090") == .server(id: "s-prom"))
        #expect(owner("127.0.0.1:5555") == .source)
        #expect(owner("localhost") == .source, "the scraper's machine is not known, so no platform either")
    }

    @Test func aTargetSplitsHostAndPortAndKeysItsSourceByJobAndInstance() {
        let target = ScrapeTarget(labels: Labels([Label("job", "node"), Label("instance", "[::1]:9100")]))
        #expect(target.host == "::1" && target.port == 9100 && target.isLoopback)
        #expect(target.sourceKey == "node/[::1]:9100" && target.sourceName == "[::1]:9100")
        #expect(ScrapeTarget(job: nil, instance: "host:99999").port == nil, "an impossible port is no port")
        #expect(ScrapeTarget(job: "x", instance: "a:1", hostLabel: "Box").host == "box", "a host label wins over the instance")
    }

    @Test func seriesAreTypedByTheirFamilysMetadataElseByTheirNames() {
        let le = Labels([Label("le", "0.5")])
        let quantile = Labels([Label("quantile", "0.9")])
        let none = Labels([])
        #expect(SeriesTyping.type(metric: "req_seconds_bucket", labels: le, families: [:]) == .histogram)
        #expect(SeriesTyping.type(metric: "gc_seconds", labels: quantile, families: [:]) == .summary)
        #expect(SeriesTyping.type(metric: "gc_seconds_count", labels: none, families: [:]) == .counter)
        #expect(SeriesTyping.type(metric: "gc_seconds_count", labels: none, families: ["gc_seconds": .summary]) == .summary)
        #expect(SeriesTyping.type(metric: "req_seconds_sum", labels: none, families: ["req_seconds": .histogram]) == .histogram)
        #expect(SeriesTyping.type(metric: "http_total", labels: none, families: [:]) == .counter)
        #expect(SeriesTyping.type(metric: "temperature", labels: none, families: [:]) == .gauge)
        #expect(SeriesTyping.type(metric: "odd_total", labels: none, families: ["odd_total": .gauge]) == .gauge, "metadata wins over the name")
        #expect(SeriesTyping.seriesNames(family: "req_seconds", type: .histogram) == ["req_seconds", "req_seconds_bucket", "req_seconds_count", "req_seconds_sum"])
    }

    @Test func aScrapeSetsUpOrDownOnceAndAStaleSourceBecomesUnknown() {
        let down = Liveness.scraped(resourceID: "s", kind: .server, name: "prometheus :9090", current: .up, up: false, job: " (job p)")
        #expect(down?.0 == .down && down?.1.message == "server prometheus :9090 is down: Prometheus cannot scrape it (job p)")
        #expect(Liveness.scraped(resourceID: "s", kind: .server, name: "x", current: .up, up: true, job: "") == nil)
        #expect(Liveness.scrapeStale(resourceID: "s", name: "x", current: .up, job: "")?.0 == .unknown)
        #expect(Liveness.scrapeStale(resourceID: "s", name: "x", current: .unknown, job: "") == nil)
    }
}
