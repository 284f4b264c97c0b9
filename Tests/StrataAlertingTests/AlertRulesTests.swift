import StrataCore
import Testing
@testable import StrataAlerting

@Suite struct AlertRulesTests {
    @Test func pathGlobsMatchWithinAndAcrossSegments() {
        #expect(PathGlob.matches("/etc/nginx/*.conf", "/etc/nginx/nginx.conf"))
        #expect(!PathGlob.matches("/etc/nginx/*.conf", "/etc/nginx/sites/default.conf"))
        #expect(PathGlob.matches("/etc/**/*.conf", "/etc/nginx/sites/default.conf"))
        #expect(PathGlob.matches("/**/a/*/b", "/x/a/y/a/z/b"))
        #expect(PathGlob.matches("/var/log/?.log", "/var/log/a.log"))
        #expect(!PathGlob.matches("/var/log/?.log", "/var/log/ab.log"))
        #expect(PathGlob.matches("**", ""))
    }

    @Test func aHostileGlobFinishes() {
        let pattern = String(repeating: "*a", count: 200) + "b"
        let path = String(repeating: "a", count: 4_000)
        #expect(!PathGlob.matches(pattern, path))
    }

    @Test func templatesRenderKnownFieldsAndLeaveTheRest() {
        let template = AnnotationTemplate(fields: ["resource.name": "crm-vm", "value": "93.5", "labels.job": "node"])
        #expect(template.render("{{ .resource.name }} at {{.value}}% ({{ .labels.job }}){{ .nothing }}") == "crm-vm at 93.5% (node)")
        #expect(template.render("unclosed {{ .value") == "unclosed {{ .value")
        #expect(AnnotationTemplate.unknownFields(in: "{{ .value }} {{ .bogus.x }}") == ["bogus.x"])
    }

    @Test func ratesCountACounterResetFromZero() {
        var state = ThresholdInputState()
        #expect(state.add(timestampMs: 0, value: 100, input: .rate) == nil)
        #expect(state.add(timestampMs: 10_000, value: 200, input: .rate) == 10)
        #expect(state.add(timestampMs: 20_000, value: 50, input: .rate) == 5)
        #expect(state.add(timestampMs: 15_000, value: 60, input: .rate) == nil)
    }

    @Test func windowAggregatesForgetSamplesOlderThanTheWindow() {
        var state = ThresholdInputState()
        let avg = ThresholdInput.aggregate(.avg, windowMs: 30_000)
        #expect(state.add(timestampMs: 0, value: 10, input: avg) == 10)
        #expect(state.add(timestampMs: 10_000, value: 20, input: avg) == 15)
        #expect(state.add(timestampMs: 40_000, value: 30, input: avg) == 30)
        #expect(state.add(timestampMs: .max, value: .nan, input: avg) == nil)
    }

    @Test func silencesCoverMatchingAlertsOnTheirResourcesAndDescendantsWhileTheyLast() {
        let silence = Silence(id: "s1", tenantID: "t", matchers: ["severity": "warning"], resourceIDs: ["host"], startsMs: 100,
                              endsMs: 200, comment: "maintenance", createdBy: "ops")
        let labels = ["severity": "warning", "alertname": "x"]
        #expect(silence.covers(labels: labels, lineage: ["server", "vm", "host"], atMs: 150))
        #expect(!silence.covers(labels: labels, lineage: ["server", "vm", "other"], atMs: 150))
        #expect(!silence.covers(labels: ["severity": "critical"], lineage: ["host"], atMs: 150))
        #expect(!silence.covers(labels: labels, lineage: ["host"], atMs: 200))
        let everything = Silence(id: "s2", tenantID: "t", matchers: [:], startsMs: 0, endsMs: .max, comment: "", createdBy: "ops")
        #expect(!everything.covers(labels: labels, lineage: ["host"], atMs: 1))
    }

    @Test func anAlertBeneathADownAncestorIsHeldByTheNearestOne() {
        #expect(TopologySuppression.holder(ancestors: ["platform", "vm", "hypervisor"], openAvailability: ["hypervisor", "vm"]) == "vm")
        #expect(TopologySuppression.holder(ancestors: ["platform"], openAvailability: []) == nil)
    }

    @Test func scopesCoverResourcesByIdGroupKindAndServerType() {
        let nginx = ScopedResource(id: "r1", kind: .server, serverType: "nginx", groups: ["web"])
        #expect(AlertScope.serverType("NGINX").covers(nginx))
        #expect(!AlertScope.serverType("tomcat").covers(nginx))
        #expect(AlertScope.kind(.server).covers(nginx))
        #expect(AlertScope.group("web").covers(nginx))
        #expect(AlertScope.resource("r1").covers(nginx))
        #expect(!AlertScope.series(["job": "node"]).covers(nginx))
        #expect(AlertScope.series(["job": "node"]).covers(labels: ["job": "node", "instance": "a"]))
    }

    @Test func theIndexHandsASampleOnlyTheDefinitionsOnItsMetricAndTenant() {
        func definition(_ name: String, tenant: String, _ condition: AlertCondition) -> AlertDefinition {
            AlertDefinition(id: AlertDefinition.id(tenantID: tenant, name: name), tenantID: tenant, name: name, scope: .kind(.platform),
                            condition: condition)
        }
        var index = ConditionIndex([
            definition("cpu", tenant: "a", .threshold(ThresholdCondition(metric: "cpu", op: .greater, threshold: 1))),
            definition("cpu", tenant: "b", .threshold(ThresholdCondition(metric: "cpu", op: .greater, threshold: 1))),
            definition("logs", tenant: "a", .event(EventCondition(kinds: ["log"]))),
            definition("any", tenant: "a", .event(EventCondition())),
            definition("down", tenant: "a", .availability(AvailabilityCondition())),
        ])
        #expect(index.thresholds(metric: "cpu", tenantID: "a").map(\.name) == ["cpu"])
        #expect(index.thresholds(metric: "mem", tenantID: "a").isEmpty)
        #expect(Set(index.events(kind: "log", tenantID: "a").map(\.name)) == ["logs", "any"])
        #expect(index.events(kind: "relocated", tenantID: "a").map(\.name) == ["any"])
        #expect(index.availabilityDefinitions(tenantID: "b").isEmpty)
        index.remove(id: AlertDefinition.id(tenantID: "a", name: "cpu"))
        #expect(!index.watches(metric: "cpu", tenantID: "a"))
        #expect(index.hasThresholds(tenantID: "b"))
    }

    @Test func eventConditionsMatchKindSeverityWordsAndPath() {
        let condition = EventCondition(kinds: ["config-change"], minimumSeverity: .warning, words: ["Listen"], pathGlob: "/etc/nginx/**")
        #expect(condition.matches(kind: "config-change", severity: .warning, message: "changed listen port", path: "/etc/nginx/nginx.conf"))
        #expect(!condition.matches(kind: "config-change", severity: .info, message: "changed listen port", path: "/etc/nginx/nginx.conf"))
        #expect(!condition.matches(kind: "log", severity: .error, message: "listen", path: "/etc/nginx/nginx.conf"))
        #expect(!condition.matches(kind: "config-change", severity: .error, message: "listen", path: "/etc/apache2/a.conf"))
    }
}
