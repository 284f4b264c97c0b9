import StrataAnalysis
import StrataCore
import Testing
@testable import StrataServer

/// How the analysis reads series by name and type: workloads, rates, shares of a whole, memory and usage with the
/// limit a sibling gives, filesystems as used bytes out of their size.
@Suite struct SignalRolesTests {
    static func input(_ metric: String, type: MetricType = .gauge, labels: [String: String] = [:], _ values: [Double]) -> SignalRoles.Input {
        SignalRoles.Input(metric: metric, labels: labels, type: type, points: values.enumerated().map { TimePoint(Int64($0.offset) * 60_000, $0.element) })
    }

    @Test func eachSeriesGetsTheRoleAndLimitItsNameAndSiblingsGive() {
        let series = SignalRoles.classify([
            Self.input("tomcat_webapp_requests_total", type: .counter, [0, 60, 120]),
            Self.input("process_cpu_seconds_total", type: .counter, [0, 30, 60]),
            Self.input("cpu_usage_ratio", [0.2, 0.5, 0.9]),
            Self.input("cpu_used_cores", [2, 3, 5]), Self.input("cpu_cores", [8, 8, 8]),
            Self.input("tomcat_jvm_memory_used_bytes", [1e9, 2e9, 3e9]), Self.input("tomcat_jvm_memory_max_bytes", [4e9, 4e9, 4e9]),
            Self.input("filesystem_size_bytes", labels: ["mountpoint": "/"], [100, 100, 100]),
            Self.input("filesystem_avail_bytes", labels: ["mountpoint": "/"], [60, 50, 40]),
            Self.input("queue_depth", [1, 2, 3]),
        ])
        let byName = Dictionary(series.map { ($0.metric, $0) }) { a, _ in a }
        #expect(byName["tomcat_webapp_requests_total"]?.role == .workload)
        #expect(byName["rate(process_cpu_seconds_total)"]?.points.map(\.v) == [0.5, 0.5])
        #expect(byName["cpu_usage_ratio"]?.role == .usage(limit: 1))
        #expect(byName["cpu_used_cores"]?.role == .usage(limit: 8))
        #expect(byName["tomcat_jvm_memory_used_bytes"]?.role == .memory(limit: 4e9))
        #expect(byName[#"filesystem_used_bytes{mountpoint="/"}"#]?.role == .usage(limit: 100))
        #expect(byName[#"filesystem_used_bytes{mountpoint="/"}"#]?.points.map(\.v) == [40, 50, 60])
        #expect(byName["queue_depth"]?.role == .gauge)
    }

    @Test func aRatioThatLeavesZeroToOneIsNotAShare() {
        let series = SignalRoles.classify([Self.input("compression_ratio", [1.5, 2.5, 3])])
        #expect(series.first?.role == .gauge)
    }
}
