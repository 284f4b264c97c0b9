import Foundation
import Testing

/// Servers started, stopped and restarted through the control API by a real agent: a Tomcat run as user `tomcat`
/// restarted through catalina.sh (a new JVM, the same resource and series) and its threads dumped; an nginx stopped
/// through `nginx -s stop` and started again from what the agent remembered.
@Suite(.serialized) struct ServerLifecycleEndToEndTests {
    /// The pids of live processes whose command line holds `argument`.
    static func pids(withArgument argument: String) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            guard let cmdline = StrataProcess.procText("/proc/\(pid)/cmdline"),
                  let stat = StrataProcess.procText("/proc/\(pid)/stat"), !stat.contains(") Z") else { return false }
            return cmdline.split(separator: "\0").contains { $0 == argument }
        }
    }

    static func run(_ bed: Testbed, _ id: String, _ action: String) throws -> (status: Int32, output: String) {
        try runCLI(["control", "run", id, action, "--wait"], environment: ControlEndToEndTests.environment(bed))
    }

    /// The server named `name`.
    static func server(_ bed: Testbed, _ name: String) throws -> [String: Any]? {
        (try bed.get("/api/v1/resources?kind=server&limit=1000") as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
    }

    /// The id of the server named `name` once it is up in the inventory.
    static func waitUp(_ bed: Testbed, _ name: String, timeout: Double) throws -> String {
        var id = ""
        try waitUntil("\(name) up in the inventory", timeout: timeout) {
            let found = try server(bed, name)
            id = found?["id"] as? String ?? ""
            return found?["availability"] as? String == "up"
        }
        return id
    }

    /// The samples of the resource's series `metric`, with the series id.
    static func samples(_ bed: Testbed, resource: String, metric: String) throws -> (id: String, samples: [(Int64, Double)]) {
        let series = try bed.get("/api/v1/resources/\(resource)/series") as? [[String: Any]] ?? []
        guard let id = series.first(where: { $0["metric"] as? String == metric })?["id"] as? String else { return ("", []) }
        let data = try bed.get("/api/v1/series/\(id)/samples?from=0&to=99999999999999") as? [String: Any] ?? [:]
        return (id, (data["samples"] as? [[NSNumber]] ?? []).map { ($0[0].int64Value, $0[1].doubleValue) })
    }

    @Test func tomcatRestartedThroughTheControlAPIKeepsItsResourceAndSeriesWithANewJVMAndDumpsItsThreads() throws {
        let bed = try Testbed("lifecycle-tomcat")
        let server = try bed.startServer()
        defer { server.terminate() }
        let tomcat = try WebStack.tomcat(bed, password: Testbed.password, user: "tomcat")
        let baseArgument = "-Dcatalina.base=\(tomcat.directory)"
        defer {
            tomcat.process.killTree()
            for pid in Self.pids(withArgument: baseArgument) { kill(pid, SIGKILL) }
        }
        try WebStack.write("tomcat.user = strata\ntomcat.password = \(Testbed.password)\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        let name = "tomcat \(tomcat.directory)"
        let tomcatID = try Self.waitUp(bed, name, timeout: 120)
        try waitUntil("heap samples", timeout: 60) { try Self.samples(bed, resource: tomcatID, metric: "tomcat_jvm_memory_total_bytes").samples.count >= 2 }
        let before = try Self.samples(bed, resource: tomcatID, metric: "tomcat_jvm_memory_total_bytes")
        let oldJVM = try #require(Self.pids(withArgument: baseArgument).first)

        let dump = try Self.run(bed, tomcatID, "thread-dump")
        #expect(dump.status == 0, "\(dump.output)")
        #expect(dump.output.contains("\"main\"") || dump.output.contains("java.lang.Thread.State"), "\(dump.output.prefix(2000))")

        let restart = try Self.run(bed, tomcatID, "restart")
        let restartedMs = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(restart.status == 0, "\(restart.output)")
        #expect(restart.output.contains("catalina.sh start as uid"), "\(restart.output)")
        var newJVM: Int32 = 0
        try waitUntil("a new JVM", timeout: 60) {
            newJVM = Self.pids(withArgument: baseArgument).first { $0 != oldJVM } ?? 0
            return newJVM != 0 && Self.pids(withArgument: baseArgument).count == 1
        }
        let status = try String(contentsOfFile: "/proc/\(newJVM)/status", encoding: .utf8)
        let tomcatUID = try #require(try runTool("/usr/bin/id", ["-u", "tomcat"]).output.split(separator: "\n").first)
        #expect(status.contains("Uid:\t\(tomcatUID)\t"), "the new JVM runs as tomcat")
        // A JVM and its manager application start slowly on a loaded machine (integration tests run side by side):
        // wait for two samples taken after the restart, however long the start takes.
        try waitUntil("samples of the new JVM in the same series", timeout: 300) {
            let after = try Self.samples(bed, resource: tomcatID, metric: "tomcat_jvm_memory_total_bytes")
            return after.id == before.id && after.samples.filter { $0.0 > restartedMs }.count >= 2
        }
        #expect(try Self.server(bed, name)?["id"] as? String == tomcatID, "the same resource")
        try waitUntil("the restarted Tomcat up", timeout: 120) { try Self.server(bed, name)?["availability"] as? String == "up" }
    }

    @Test func nginxStoppedThroughStopIsStartedAgainThroughStartAsTheSameResource() throws {
        let bed = try Testbed("lifecycle-nginx")
        let server = try bed.startServer()
        defer { server.terminate() }
        let port = try Testbed.freePort()
        let nginx = try ServerDiscoveryTests.startNginx(bed, port: port)
        let config = bed.directory + "/nginx.conf"
        defer {
            nginx.killTree()
            // The master the agent started again: killed with its workers, which would outlive it.
            for pid in Self.pids(withArgument: "nginx: master process /usr/sbin/nginx -c \(config) -g daemon off;") { StrataProcess.killTree(pid) }
        }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        let name = "nginx \(config)"
        let nginxID = try Self.waitUp(bed, name, timeout: 90)
        let stop = try Self.run(bed, nginxID, "stop")
        #expect(stop.status == 0 && stop.output.contains("-s stop"), "\(stop.output)")
        try waitUntil("nginx down", timeout: 30) { try Self.server(bed, name)?["availability"] as? String == "down" }
        #expect(try curl(["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]).status != 0, "nothing listens any more")

        let start = try Self.run(bed, nginxID, "start")
        #expect(start.status == 0, "\(start.output)")
        try waitUntil("nginx up again", timeout: 30) { try Self.server(bed, name)?["availability"] as? String == "up" }
        #expect(try Self.server(bed, name)?["id"] as? String == nginxID, "the same resource")
        #expect(try curl(["-s", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]).status == 0, "it serves again")
        let again = try Self.run(bed, nginxID, "start")
        #expect(again.status != 0 && again.output.contains("already running"), "\(again.output)")
    }
}
