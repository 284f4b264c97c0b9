import Testing
@testable import StrataRules

/// Templates render as Prometheus renders them for the common cases; parse errors read as Go's.
@Suite struct AlertTemplateTests {
    static func render(_ text: String, labels: [String: String] = ["instance": "web-1:9100", "job": "node"], value: Double = 7.5) throws -> String {
        try AlertTemplate(text, name: "__alert_A").render(labels: labels, value: value)
    }

    @Test func labelsAndValueAreSubstituted() throws {
        #expect(try Self.render("{{ $labels.instance }} of {{ .Labels.job }} at {{ $value }}") == "web-1:9100 of node at 7.5")
        #expect(try Self.render("[{{ $labels.missing }}]") == "[]")
        #expect(try Self.render("{{ $value }}", value: 1_000_000) == "1e+06")
    }

    @Test func formattingFunctionsFollowPrometheus() throws {
        #expect(try Self.render("{{ humanize $value }}", value: 1234567) == "1.235M")
        #expect(try Self.render("{{ $value | humanize }}", value: 0.0125) == "12.5m")
        #expect(try Self.render("{{ humanize1024 $value }}", value: 1536) == "1.5ki")
        #expect(try Self.render("{{ humanizePercentage $value }}", value: 0.256) == "25.6%")
        #expect(try Self.render("{{ humanizeDuration $value }}", value: 93784) == "1d 2h 3m 4s")
        #expect(try Self.render("{{ humanizeDuration $value }}", value: 0.25) == "250ms")
        #expect(try Self.render("{{ humanizeTimestamp $value }}", value: 1_435_065_584.128) == "2015-06-23 13:19:44.128 +0000 UTC")
        #expect(try Self.render(#"{{ printf "%.2f" $value }}"#, value: 2.0 / 3) == "0.67")
        #expect(try Self.render(#"{{ $value | printf "%.1f%%" }}"#, value: 12.34) == "12.3%")
        #expect(try Self.render("{{ $labels.job | toUpper }} {{ title \"a b\" }}") == "NODE A B")
        #expect(try Self.render(#"{{ reReplaceAll ":[0-9]+" "" $labels.instance }} {{ stripPort $labels.instance }}"#) == "web-1 web-1")
    }

    @Test func conditionsVariablesCommentsAndTrimming() throws {
        let text = "{{ if gt $value 100.0 }}big{{ else if gt $value 5.0 }}medium{{ else }}small{{ end }}"
        #expect(try Self.render(text, value: 500) == "big")
        #expect(try Self.render(text) == "medium")
        #expect(try Self.render(text, value: 1) == "small")
        #expect(try Self.render("{{ $v := humanize $value }}v={{ $v }}", value: 2000) == "v=2k")
        #expect(try Self.render("a {{/* hidden */}} b") == "a  b")
        #expect(try Self.render("a   {{- $labels.job -}}   b") == "anodeb")
        #expect(try Self.render(#"{{ index $labels "job" }}"#) == "node")
    }

    @Test func parseErrorsReadAsGos() {
        func message(_ text: String) -> String {
            do {
                _ = try AlertTemplate(text, name: "__alert_A")
                return "parsed"
            } catch {
                return error.description
            }
        }
        #expect(message("{{ $labels.instance") == "template: __alert_A:1: unclosed action")
        #expect(message("{{ nosuch $value }}") == #"template: __alert_A:1: function "nosuch" not defined"#)
        #expect(message("{{ $undefined }}") == #"template: __alert_A:1: undefined variable "$undefined""#)
        #expect(message("line\n{{ if $value }}") == "template: __alert_A:2: unexpected EOF")
        #expect(message("{{ end }}") == "template: __alert_A:1: unexpected {{end}}")
        #expect(message("{{ }}") == "template: __alert_A:1: missing value for command")
        #expect(message("{{/* x") == "template: __alert_A:1: unclosed comment")
        #expect(message(#"{{ "abc }}"#) == "template: __alert_A:1: unterminated quoted string")
        #expect(message(#"{{ query "up" }}"#) == #"template: __alert_A:1: function "query" is not supported by Strata's templates"#)
    }

    @Test func aFailureWhileRenderingIsWrittenAsPrometheusWritesIt() throws {
        #expect(try Self.render("{{ humanize $labels.job }}").hasPrefix("<error expanding template: "))
    }
}
