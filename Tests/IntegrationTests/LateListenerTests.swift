import Foundation
import Testing

/// A server's process appears before it listens (Prometheus opens its TSDB first). The agent's discovery used
/// to look at a new process once, find no listening port, and miss the server until its next full discovery
/// (5 min); a new candidate is now looked at again for a few intervals.
@Suite(.serialized) struct LateListenerTests {
    @Test func anExporterThatListensSecondsAfterItStartsIsFoundWithinThoseSeconds() throws {
        let bed = try Testbed("late-listener")
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the agent's platform", timeout: 30) { try !bed.platforms().isEmpty }

        // A process whose name says "exporter" (python3 run through a symlink of that name) that listens 3 s in.
        let port = try Testbed.freePort()
        let exporter = bed.directory + "/late_exporter"
        try FileManager.default.createSymbolicLink(atPath: exporter, withDestinationPath: "/usr/bin/python3")
        let script = """
            import socket, time
            time.sleep(3)
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", \(port))); s.listen(8)
            time.sleep(60)
            """
        let late = try StrataProcess(executable: exporter, ["-c", script], logPath: bed.directory + "/late.log")
        defer { late.killTree() }
        try waitUntil("the late exporter among the servers", timeout: 20) {
            (try bed.get("/api/v1/resources?kind=server") as? [[String: Any]] ?? []).contains { $0["name"] as? String == "late_exporter :\(port)" }
        }
    }
}
