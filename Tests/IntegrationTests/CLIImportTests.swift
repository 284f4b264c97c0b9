import Foundation
import Testing

/// `strata import` against a real server process: a CSV inventory converted (`--print` sends nothing), imported
/// twice (the second time nothing changes), and a bad document refused with exit 65 and the record named.
@Suite(.serialized) struct CLIImportTests {
    @Test func aCSVInventoryPrintsImportsOnceAndChangesNothingTheSecondTime() throws {
        let bed = try Testbed("cli-import")
        let server = try bed.startServer()
        defer { server.terminate() }
        let environment = ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": Testbed.password]
        let hour: Int64 = 3_600_000
        let start = (Int64(Date().timeIntervalSince1970 * 1000) / hour - 48) * hour
        var csv = "host,cpus,memory_gb,timestamp,cpu_used_cores,memory_used_gb,disk_iops,net_mbps\n"
        for step in 0..<12 {
            csv += "db-01,16,64,\(start + Int64(step) * hour),\(1 + Double(step) / 4),40,800,100\n"
            csv += "app-02,8,32,\(start + Int64(step) * hour),0.5,,,\n"
        }
        let path = bed.directory + "/inventory.csv"
        try csv.write(toFile: path, atomically: true, encoding: .utf8)

        let printed = try runCLI(["import", "--csv", path, "--print"], environment: environment)
        #expect(printed.status == 0, "\(printed.output)")
        let document = try JSONSerialization.jsonObject(with: Data(printed.output.utf8)) as? [String: Any] ?? [:]
        #expect((document["resources"] as? [[String: Any]])?.compactMap { $0["key"] as? String } == ["db-01", "app-02"])
        #expect(try bed.platforms().isEmpty, "--print sends nothing")

        let first = try runCLI(["import", "--csv", path], environment: environment)
        #expect(first.status == 0 && first.output.contains("resources: 2 created"), "\(first.output)")
        #expect(first.output.contains("samples: \(12 * 6 + 12 * 3) written"), "\(first.output)")
        let second = try runCLI(["import", "--csv", path, "--json"], environment: environment)
        let counts = try JSONSerialization.jsonObject(with: Data(second.output.utf8)) as? [String: Any] ?? [:]
        #expect(counts["resourcesUnchanged"] as? Int == 2 && counts["samplesWritten"] as? Int == 0, "\(second.output)")
        #expect(counts["samplesAlreadyPresent"] as? Int == 12 * 6 + 12 * 3)
        let platforms = try bed.platforms()
        #expect(Set(platforms.compactMap { $0["name"] as? String }) == ["db-01", "app-02"])
        let db = try #require(platforms.first { $0["name"] as? String == "db-01" }?["id"] as? String)
        #expect(try bed.samples(platformID: db, metric: "cpu_used_cores").count == 12)

        let bad = bed.directory + "/bad.json"
        try #"{"resources": [{"kind": "server", "key": "web", "parent": "host-9"}]}"#.write(toFile: bad, atomically: true, encoding: .utf8)
        let refused = try runCLI(["import", bad], environment: environment)
        #expect(refused.status == 65, "\(refused.output)")
        #expect(refused.output.contains(#"resources[0] (key "web"): parent "host-9" is not in the document or the inventory"#), "\(refused.output)")
    }
}
