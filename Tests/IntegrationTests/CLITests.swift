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
        // Other tests on this host may run containers the agent reports too: the platform is the one this test reads.
        let id = try #require(resources.first { $0["kind"] as? String == "platform" }?["id"] as? String)

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

    @Test func cliManagesTokensUsersAgentsAndReadsTheAuditLogOverTLS() throws {
        let bed = try Testbed("cli-access")
        let server = try bed.startServer(environment: ["STRATA_TLS": "auto"])
        defer { server.terminate() }
        let environment = ["STRATA_URL": "https://127.0.0.1:\(bed.port)", "STRATA_CA_FILE": bed.directory + "/server/tls/ca.pem",
                           "STRATA_USER": "admin", "STRATA_PASSWORD": Testbed.password]

        let created = try runCLI(["tokens", "create", "grafana", "--scope", "read", "--json"], environment: environment)
        #expect(created.status == 0, "\(created.output)")
        let token = try JSONSerialization.jsonObject(with: Data(created.output.utf8)) as? [String: Any] ?? [:]
        let secret = try #require(token["token"] as? String)
        let tokenID = try #require(token["id"] as? Int)
        let asToken = try runCLI(["resources"], environment: ["STRATA_URL": environment["STRATA_URL"]!, "STRATA_CA_FILE": environment["STRATA_CA_FILE"]!,
                                                              "STRATA_TOKEN": secret])
        #expect(asToken.status == 0 && asToken.output.hasPrefix("ID"), "the scoped token reads over TLS")
        let listed = try runCLI(["tokens"], environment: environment)
        #expect(listed.output.contains("grafana") && !listed.output.contains(secret), "listed without its secret")
        let revoked = try runCLI(["tokens", "revoke", String(tokenID)], environment: environment)
        #expect(revoked.status == 0)
        let refused = try runCLI(["resources"], environment: ["STRATA_URL": environment["STRATA_URL"]!, "STRATA_CA_FILE": environment["STRATA_CA_FILE"]!,
                                                              "STRATA_TOKEN": secret])
        #expect(refused.status != 0 && refused.output.contains("unauthorized"))

        let audit = try runCLI(["audit", "--action", "token."], environment: environment)
        #expect(audit.output.contains("token.create") && audit.output.contains("token.revoke"))
        let users = try runCLI(["users"], environment: environment)
        #expect(users.output.contains("admin"))
        let untrusted = try runCLI(["resources"], environment: ["STRATA_URL": environment["STRATA_URL"]!, "STRATA_USER": "admin",
                                                                "STRATA_PASSWORD": Testbed.password])
        #expect(untrusted.status != 0, "without the CA the server is not trusted")
    }
}

/// The live event stream: Server-Sent Events of what happens while a client listens.
@Suite(.serialized) struct EventStreamTests {
    @Test func newEventsArriveOnTheStreamAsTheyHappen() throws {
        let bed = try Testbed("events-stream")
        let server = try bed.startServer()
        defer { server.terminate() }
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        listener.arguments = ["-sN", "-u", "admin:\(Testbed.password)", "\(bed.url)/api/v1/events/stream?seconds=6&kind=discovered"]
        let pipe = Pipe()
        listener.standardOutput = pipe
        try listener.run()
        usleep(1_000_000)
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        listener.waitUntilExit()
        #expect(output.hasPrefix("retry: 1000"))
        #expect(output.contains("event: discovered") && output.contains("\"message\":\"platform "), "the agent's platform appeared live: \(output.prefix(500))")
        let ids = output.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(!ids.isEmpty && ids == ids.sorted(), "ids ascend so a client can resume with Last-Event-ID")
        // Resuming after the last id sends nothing already seen.
        let resumed = try runTool("/usr/bin/curl", ["-sN", "-u", "admin:\(Testbed.password)", "-H", "Last-Event-ID: \(ids.last ?? 0)",
                                                   "\(bed.url)/api/v1/events/stream?seconds=1&kind=discovered"])
        #expect(!resumed.output.contains("id: \(ids.last ?? 0)\n"))
    }
}
