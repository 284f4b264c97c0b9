import Foundation
import Testing

/// The real agent following real files and a real nginx's configuration, reporting to a real server.
@Suite(.serialized) struct EventTrackingTests {
    /// Writes `DATA/plugins.conf` (0600) for the bed's agent.
    static func configureAgent(_ bed: Testbed, _ settings: [String: String]) throws {
        let directory = bed.directory + "/agent"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let text = settings.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value)" }.joined(separator: "\n") + "\n"
        FileManager.default.createFile(atPath: directory + "/plugins.conf", contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
    }

    /// Every event of `kind` on `resource`, paging back through all of them.
    static func events(_ bed: Testbed, resource: String, kind: String) throws -> [[String: Any]] {
        var all: [[String: Any]] = []
        var before = ""
        while true {
            let page = try bed.get("/api/v1/events?resource=\(resource)&kind=\(kind)&limit=10000\(before)") as? [[String: Any]] ?? []
            all += page
            guard page.count == 10000, let last = page.last?["id"] as? Int else { return all }
            before = "&before=\(last)"
        }
    }

    /// The sequence numbers in `seq N` lines of the files at `paths`.
    static func sequencesOnDisk(_ paths: [String]) -> [Int] {
        paths.flatMap { path in
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { line in
                line.hasPrefix("seq ") ? Int(line.dropFirst(4).prefix { $0 != " " }) : nil
            }
        }
    }

    /// A logger appending through one descriptor that it reopens on request (as nginx does on USR1).
    final class RunningWriter: @unchecked Sendable {
        private let lock = NSLock()
        private var reopenRequested = false
        private var stopRequested = false
        private(set) var written = 0
        let path: String
        private var thread: Thread?

        init(path: String) { self.path = path }

        func start(linesPerMillisecond: Int) {
            let thread = Thread { [self] in
                var fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
                var sequence = 0
                while true {
                    lock.lock()
                    let stop = stopRequested
                    let reopen = reopenRequested
                    reopenRequested = false
                    lock.unlock()
                    if stop { break }
                    if reopen { close(fd); fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644) }
                    for _ in 0..<linesPerMillisecond {
                        sequence += 1
                        let line = Array("seq \(sequence) payload for the end-to-end line count\n".utf8)
                        _ = line.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
                    }
                    usleep(1000)
                }
                close(fd)
                lock.lock()
                written = sequence
                lock.unlock()
            }
            self.thread = thread
            thread.start()
        }

        func reopen() { lock.lock(); reopenRequested = true; lock.unlock() }

        func stop() {
            lock.lock()
            stopRequested = true
            lock.unlock()
            while true {
                lock.lock()
                let done = written > 0
                lock.unlock()
                if done { return }
                usleep(10_000)
            }
        }
    }

    @Test func rotationByRenameAndCopytruncateWhileAWriterRunsLosesAndRepeatsNoLine() throws {
        let bed = try Testbed("log-rotation")
        let logs = bed.directory + "/logs"
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let path = logs + "/app.log"
        FileManager.default.createFile(atPath: path, contents: nil)
        try Self.configureAgent(bed, ["log.app.path": path, "log.app.rate": "1000000", "log.poll": "200ms",
                                      "log.servers": "off", "config.servers": "off"])
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the agent's platform", timeout: 30) { try !bed.platforms().isEmpty }
        let platform = try #require(try bed.platforms().first?["id"] as? String)
        usleep(500_000)

        let writer = RunningWriter(path: path)
        writer.start(linesPerMillisecond: 3)
        usleep(800_000)
        // Rotation by rename: the writer goes on writing into the renamed file until it reopens.
        rename(path, path + ".1")
        usleep(150_000)
        writer.reopen()
        usleep(800_000)
        // Rotation by copytruncate, twice, while the writer appends.
        for copy in [path + ".2", path + ".3"] {
            try FileManager.default.copyItem(atPath: path, toPath: copy)
            truncate(path, 0)
            usleep(800_000)
        }
        writer.stop()
        let onDisk = Self.sequencesOnDisk([path + ".1", path + ".2", path + ".3", path])
        #expect(Set(onDisk).count == onDisk.count, "no line is on disk twice")
        #expect(onDisk.count > 5000, "the writer ran through every rotation: \(onDisk.count) lines")

        var received: [Int] = []
        do {
            try waitUntil("every line on disk as one event", timeout: 60) {
                received = try Self.events(bed, resource: platform, kind: "log").compactMap { event in
                    (event["message"] as? String).flatMap { $0.hasPrefix("seq ") ? Int($0.dropFirst(4).prefix { $0 != " " }) : nil }
                }
                return received.count >= onDisk.count
            }
        } catch {
            Issue.record("events \(received.count) of \(onDisk.count) lines on disk; missing e.g. \(Set(onDisk).subtracting(received).sorted().prefix(10))")
        }
        usleep(1_000_000)
        received = try Self.events(bed, resource: platform, kind: "log").compactMap { event in
            (event["message"] as? String).flatMap { $0.hasPrefix("seq ") ? Int($0.dropFirst(4).prefix { $0 != " " }) : nil }
        }
        #expect(received.count == Set(received).count, "no line arrives twice: \(received.count) events, \(Set(received).count) distinct")
        #expect(Set(received) == Set(onDisk), "every line on disk arrives: missing \(Set(onDisk).subtracting(received).sorted().prefix(10))")
        // Lines the writer wrote between a copy and its truncation are on no disk and in no event (logrotate's known gap).
        print("log rotation: \(writer.written) written, \(onDisk.count) on disk, \(received.count) events")
    }

    @Test func aJavaTraceIsOneEventAndARestartResumesWhereItStopped() throws {
        let bed = try Testbed("log-restart")
        let path = bed.directory + "/catalina.log"
        FileManager.default.createFile(atPath: path, contents: Data("22-Nov-2026 12:00:00.000 INFO [main] history, not imported\n".utf8))
        try Self.configureAgent(bed, ["log.tomcat.path": path, "log.tomcat.format": "java", "log.poll": "200ms",
                                      "log.servers": "off", "config.servers": "off"])
        let server = try bed.startServer()
        defer { server.terminate() }
        var agent = try bed.startAgent()
        try waitUntil("the agent's platform", timeout: 30) { try !bed.platforms().isEmpty }
        let platform = try #require(try bed.platforms().first?["id"] as? String)
        usleep(500_000)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        func append(_ text: String) { handle.write(Data(text.utf8)) }
        append("""
            22-Nov-2026 13:00:00.250 SEVERE [http-nio-8080-exec-1] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() for servlet [orders] threw exception
            java.lang.IllegalStateException: order 42 has no customer
            \tat com.example.crm.OrderServlet.doGet(OrderServlet.java:42)
            \tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:564)
            Caused by: java.sql.SQLException: Connection reset
            \t... 23 more
            22-Nov-2026 13:00:01.000 INFO [main] before-restart 1

            """)
        var events: [[String: Any]] = []
        try waitUntil("the trace and the line after it", timeout: 30) {
            events = try Self.events(bed, resource: platform, kind: "log")
            return events.count >= 2
        }
        let trace = try #require(events.first { ($0["message"] as? String)?.contains("SEVERE") == true })
        #expect((trace["message"] as? String)?.split(separator: "\n").count == 6, "the whole trace is one event: \(trace)")
        #expect(trace["severity"] as? String == "error")
        #expect(trace["source"] as? String == path)
        #expect(!events.contains { ($0["message"] as? String)?.contains("history") == true }, "what was there before the agent is not imported")

        agent.terminate()
        // While the agent is down: more lines, a rotation by rename, and lines in the new file.
        for index in 1...50 { append("22-Nov-2026 13:00:02.000 INFO [main] while-down \(index)\n") }
        handle.closeFile()
        rename(path, path + ".1")
        FileManager.default.createFile(atPath: path, contents: Data((1...20).map { "22-Nov-2026 13:00:03.000 INFO [main] new-file \($0)\n" }.joined().utf8))
        agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the 70 lines written while the agent was down", timeout: 30) {
            try Self.events(bed, resource: platform, kind: "log").count >= 72
        }
        usleep(1_500_000)
        let messages = try Self.events(bed, resource: platform, kind: "log").compactMap { $0["message"] as? String }
        #expect(messages.count == 72, "2 before, 50 while down in the rotated file, 20 in the new one; none twice: \(messages.count)")
        #expect(Set(messages).count == messages.count)
        #expect(messages.filter { $0.contains("while-down") }.count == 50 && messages.filter { $0.contains("new-file") }.count == 20)
    }

    @Test func anNginxConfigEditIsAConfigChangeWithTheEditAndItsSecretsRedacted() throws {
        let bed = try Testbed("config-change")
        try Self.configureAgent(bed, ["log.poll": "200ms"])
        let port = try Testbed.freePort()
        let configPath = bed.directory + "/nginx.conf"
        func config(connections: Int, token: String) -> String {
            ServerDiscoveryTests.nginxConfig(bed, port: port, connections: connections, serverLines: """
                        set $api_token "\(token)";
                        location /missing { root \(bed.directory)/nonexistent; }

                """)
        }
        let server = try bed.startServer()
        defer { server.terminate() }
        let nginx = try ServerDiscoveryTests.startNginx(bed, port: port, config: config(connections: 64, token: "s3cr3t-first"))
        defer { nginx.killTree() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        var nginxID = ""
        try waitUntil("nginx in the inventory", timeout: 30) {
            let servers = try bed.get("/api/v1/resources?kind=server") as? [[String: Any]] ?? []
            nginxID = servers.first { ($0["name"] as? String) == "nginx \(configPath)" }?["id"] as? String ?? ""
            return !nginxID.isEmpty
        }
        try waitUntil("the first version of nginx.conf", timeout: 30) {
            (try bed.get("/api/v1/resources/\(nginxID)/configs") as? [[String: Any]] ?? []).contains { $0["path"] as? String == configPath }
        }
        let first = try #require(try bed.get("/api/v1/resources/\(nginxID)/configs/content?path=\(configPath)") as? [String: Any])
        let firstContent = first["content"] as? String ?? ""
        #expect(firstContent.contains("worker_connections 64;") && firstContent.contains("set $api_token \"<redacted:"))
        #expect(!firstContent.contains("s3cr3t"), "the secret never leaves the agent")

        try config(connections: 128, token: "s3cr3t-second").write(toFile: configPath, atomically: true, encoding: .utf8)
        var change: [String: Any] = [:]
        try waitUntil("a config-change event", timeout: 30) {
            change = try Self.events(bed, resource: nginxID, kind: "config-change").first ?? [:]
            return !change.isEmpty
        }
        let message = change["message"] as? String ?? ""
        #expect(message.hasPrefix("\(configPath) of nginx \(configPath) changed (version 2, +2 -2 lines)"), "\(message)")
        #expect(message.contains("-events { worker_connections 64; }\n+events { worker_connections 128; }"), "\(message)")
        #expect(message.contains("-        set $api_token \"<redacted:") && message.contains("+        set $api_token \"<redacted:"),
                "a changed secret shows as a changed fingerprint: \(message)")
        #expect(!message.contains("s3cr3t"))
        #expect(change["source"] as? String == configPath)

        let diff = try #require(try bed.get("/api/v1/resources/\(nginxID)/configs/diff?path=\(configPath)&from=1&to=2") as? [String: Any])
        #expect((diff["diff"] as? String).map { message.hasSuffix($0) } == true, "the API's diff is the event's")
        let cli = try runCLI(["config", "diff", nginxID, configPath, "--url", bed.url, "--user", "admin"],
                             environment: ["STRATA_PASSWORD": Testbed.password])
        #expect(cli.status == 0 && cli.output.contains("+events { worker_connections 128; }"), "\(cli.output)")
        let versions = try runCLI(["config", "versions", nginxID, configPath, "--url", bed.url, "--user", "admin"],
                                  environment: ["STRATA_PASSWORD": Testbed.password])
        #expect(versions.output.split(separator: "\n").count == 3, "a header and two versions: \(versions.output)")

        // nginx's own error log is followed (warnings and worse) and attached to nginx.
        _ = try curl(["http://127.0.0.1:\(port)/missing/file"])
        try waitUntil("nginx's error for the missing file", timeout: 30) {
            try Self.events(bed, resource: nginxID, kind: "log").contains {
                ($0["message"] as? String)?.contains("No such file or directory") == true && $0["severity"] as? String == "error"
            }
        }
    }
}
