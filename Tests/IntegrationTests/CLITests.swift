import Foundation
import Testing

@Suite(.serialized) struct CLITests {
    @Test func cliListsShowsAndQueriesAndServerStopsCleanly() throws {
        let bed = try Testbed("cli")
        var server = try bed.startServer()
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("memory samples", timeout: 30) {
            guard let id = try bed.platforms().first?["id"] as? String else { return false }
            return try bed.samples(platformID: id, metric: "memory_used_bytes").count >= 2
        }
        let environment = ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": Testbed.password]

        let table = try runCLI(["resources", "--kind", "platform"], environment: environment)
        #expect(table.status == 0)
        #expect(table.output.hasPrefix("ID"))
        #expect(table.output.contains("platform"))

        let listed = try runCLI(["resources", "--json"], environment: environment)
        let resources = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]] ?? []
        let id = try #require(resources.first?["id"] as? String)

        let shown = try runCLI(["resource", id], environment: environment)
        #expect(shown.status == 0)
        #expect(shown.output.contains("machine_id"))
        let seriesLine = try #require(shown.output.split(separator: "\n").first { $0.hasSuffix(" memory_used_bytes") })
        let seriesID = String(seriesLine.split(separator: " ")[0])

        let queried = try runCLI(["query", seriesID, "--from", "10m", "--json"], environment: environment)
        let data = try JSONSerialization.jsonObject(with: Data(queried.output.utf8)) as? [String: Any] ?? [:]
        #expect((data["samples"] as? [Any])?.count ?? 0 >= 2)

        let selected = try runCLI(["query", #"memory_used_bytes{resource_kind="platform"}"#, "--from", "10m", "--step", "1m",
                                   "--fn", "max", "--json"], environment: environment)
        let answer = try JSONSerialization.jsonObject(with: Data(selected.output.utf8)) as? [String: Any] ?? [:]
        let selectedSeries = answer["series"] as? [[String: Any]] ?? []
        #expect(selectedSeries.count == 1, "the platform's memory series, found by selector")
        #expect((selectedSeries.first?["labels"] as? [String: String])?["resource_id"] == id)
        let tableQuery = try runCLI(["query", "memory_used_bytes", "--from", "10m", "--step", "1m"], environment: environment)
        #expect(tableQuery.output.hasPrefix("SERIES"))

        let refused = try runCLI(["resources"], environment: ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": "wrong"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("unauthorized"))

        server.terminate()
        #expect(server.process.terminationStatus == 0, "SIGTERM is a graceful shutdown")
        server = try bed.startServer()
        defer { server.terminate() }
        #expect(try bed.platforms().first?["id"] as? String == id, "the inventory survives the restart")
    }
}
