import StrataCore
import Testing
@testable import StrataInventory

/// `strata import --csv`: a CSV inventory of physical servers with utilisation history becomes an import document
/// with one physical platform per host and a series per column, each host's rows in time order.
struct InventoryCSVTests {
    static let csv = """
        host,cpus,memory_gb,timestamp,cpu_used_cores,memory_used_gb,disk_iops,net_mbps
        db-01,16,64,2025-11-01T00:05:00Z,4,40,900,80
        db-01,16,64,2025-11-01T00:00:00Z,3.5,41.5,850,120
        "web, 02",8,32,2025-11-01 00:00:00,1,,200,

        """

    @Test func eachHostBecomesAPhysicalPlatformWithItsCapacityAndSortedHistory() throws {
        let document = try InventoryCSV.document(Self.csv)
        #expect(document.resources.map(\.key) == ["db-01", "web, 02"])
        let db = try #require(document.resources.first)
        #expect(db.kind == "platform")
        #expect(db.properties?["cpu"]?["cores"] == .int(16))
        #expect(db.properties?["memory_bytes"] == .int(64 << 30))
        #expect(db.properties?["virtualization"]?["roles"] == .list([.map([("role", .string("physical"))])]))
        let used = try #require(document.series.first { $0.resource == "db-01" && $0.metric == "cpu_used_cores" })
        #expect(used.samples.map(\.time) == [.ms(1_761_955_200_000), .ms(1_761_955_500_000)])
        #expect(used.samples.map(\.value) == [3.5, 4])
        let network = try #require(document.series.first { $0.resource == "db-01" && $0.metric == "network_bytes_per_second" })
        #expect(network.samples.map(\.value) == [15_000_000, 10_000_000])
        let memory = try #require(document.series.first { $0.resource == "db-01" && $0.metric == "memory_used_bytes" })
        #expect(memory.samples.first?.value == 41.5 * 1_073_741_824)
        // Empty cells are no samples: web, 02 has no memory or network history.
        #expect(!document.series.contains { $0.resource == "web, 02" && ($0.metric == "memory_used_bytes" || $0.metric == "network_bytes_per_second") })
    }

    @Test func theConvertedDocumentPassesValidation() throws {
        let document = try InventoryCSV.document(Self.csv)
        let validator = ImportValidator(oldestMs: 1_700_000_000_000, newestMs: 1_800_000_000_000)
        let plan = try validator.validate(document)
        #expect(plan.resources.count == 2 && plan.sampleCount == 2 * 6 + 4)
    }

    @Test func badRowsAreRefusedNamingTheLine() {
        #expect(throws: InventoryCSV.Invalid(line: 1, reason: "unknown column \"cpu\"; columns are host, timestamp, cpus, memory_gb, cpu_used_cores, memory_used_gb, disk_iops, net_mbps")) {
            try InventoryCSV.document("host,timestamp,cpu\nh,0,1\n")
        }
        #expect(throws: InventoryCSV.Invalid(line: 3, reason: "host h has a row for this time already (line 2)")) {
            try InventoryCSV.document("host,timestamp,cpus\nh,1000,1\nh,1000,2\n")
        }
        #expect(throws: InventoryCSV.Invalid(line: 2, reason: "cpus \"-1\" is not a number from 0 to 10^15")) {
            try InventoryCSV.document("host,timestamp,cpus\nh,1000,-1\n")
        }
        #expect(throws: InventoryCSV.Invalid(line: 2, reason: "2 fields, but the header names 3 columns")) {
            try InventoryCSV.document("host,timestamp,cpus\nh,1000\n")
        }
        #expect(throws: InventoryCSV.Invalid(line: 2, reason: "timestamp \"soon\" is neither Unix milliseconds nor an RFC 3339 time such as 2026-11-01T00:00:00Z")) {
            try InventoryCSV.document("host,timestamp\nh,soon\n")
        }
    }
}
