import Testing
@testable import StrataRules

/// Each problem names the file, the line, the group, the rule (index and name) and what is wrong.
@Suite struct RuleFileErrorTests {
    static func errors(_ text: String) -> [String] {
        switch RuleFileParser.parse(text, path: "rules/web.yml") {
        case .success: return []
        case .failure(let errors): return errors.errors.map(\.description)
        }
    }

    @Test func aBadExpressionIsReportedWithItsPositionGroupAndRule() {
        let errors = Self.errors("""
            groups:
              - name: web
                rules:
                  - record: job:up:sum
                    expr: sum by (job (up)
            """)
        #expect(errors == [#"rules/web.yml:5: group "web", rule 1 "job:up:sum": could not parse expression: 1:13: parse error: unexpected "(" in grouping opts, expected "," or ")""#])
    }

    @Test func everyProblemOfAFileIsReportedNotOnlyTheFirst() {
        let errors = Self.errors("""
            groups:
              - name: web
                rules:
                  - record: 1bad
                    expr: up
                    for: 5m
                  - alert: Down
                    expr: up == 0
                    labels: {"bad-name": x}
                    annotations: {summary: "{{ nosuch $value }}"}
            """)
        #expect(errors == [
            #"rules/web.yml:4: group "web", rule 1 "1bad": invalid recording rule name: 1bad"#,
            #"rules/web.yml:6: group "web", rule 1 "1bad": invalid field 'for' in recording rule"#,
            #"rules/web.yml:9: group "web", rule 2 "Down": invalid label name: bad-name"#,
            #"rules/web.yml:10: group "web", rule 2 "Down": annotation "summary": template: __alert_Down:1: function "nosuch" not defined"#,
        ])
    }

    @Test func anUnknownFieldIsNamedWithItsLine() {
        let errors = Self.errors("""
            groups:
              - name: web
                rules:
                  - alert: Down
                    expr: up == 0
                    severity: critical
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix(#"rules/web.yml:6: group "web", rule 1 "Down": field severity not found in a rule"#) == true, "\(errors)")
    }

    @Test func aRepeatedRuleNamesTheFirst() {
        let errors = Self.errors("""
            groups:
              - name: a
                rules:
                  - record: x
                    expr: up
              - name: b
                rules:
                  - record: x
                    expr: up
            """)
        #expect(errors == [#"rules/web.yml:8: group "b", rule 1 "x": duplicate rule: same name and labels as rule 1 of group "a" (both would write the same series)"#])
    }

    @Test func aValidFileKeepsItsGroupsRulesAndDurations() throws {
        let file = try RuleFileParser.parse("""
            groups:
              - name: web
                interval: 30s
                limit: 10
                rules:
                  - alert: Down
                    expr: up == 0
                    for: 1h30m
                    keep_firing_for: 5m
                    labels: {severity: page}
                    annotations: {summary: "{{ $labels.instance }} down"}
                  - record: "job:up:sum"
                    expr: sum by (job) (up)
            """, path: "web.yml").get()
        #expect(file.groups.count == 1)
        let group = try #require(file.groups.first)
        #expect(group.intervalMs == 30_000 && group.limit == 10)
        #expect(group.rules.map(\.name) == ["Down", "job:up:sum"])
        #expect(group.rules[0].forMs == 5_400_000 && group.rules[0].keepFiringForMs == 300_000 && group.rules[0].kind == .alerting)
        #expect(group.rules[1].kind == .recording && group.rules[1].line == 12)
    }
}
