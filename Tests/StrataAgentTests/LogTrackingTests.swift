#if canImport(Glibc)
import Glibc
#endif
import StrataCore
import Testing
@testable import StrataAgent

/// A file appended to through one descriptor, as a logger holds it.
private final class Writer {
    private(set) var fd: Int32
    let path: String
    init(_ path: String) { self.path = path; fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644) }
    func line(_ text: String) { write(text + "\n") }
    func write(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) } }
    func reopen() { close(fd); fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644) }
    deinit { close(fd) }
}

private func makeDirectory(_ name: String) throws -> String {
    let directory = temporaryDirectory(name)
    try FileIO.makeDirectories(directory)
    return directory
}

private func texts(_ lines: [LogLine]) -> [String] { lines.map { String(decoding: $0.bytes, as: UTF8.self) } }

@Test func renameRotationDrainsTheOldFileAndFollowsTheNewOne() throws {
    let directory = try makeDirectory("rename")
    let path = directory + "/app.log"
    let writer = Writer(path)
    var follower = LogFollower(path: path, resolved: path)
    var lines: [LogLine] = []
    follower.open(saved: nil, fromStart: true, lines: &lines)
    writer.line("one")
    writer.write("tw")
    follower.poll(budget: 1 << 20, lines: &lines)
    #expect(texts(lines) == ["one"], "a partial line waits for its newline")
    writer.line("o")
    rename(path, path + ".1")
    writer.line("three (written to the old file after the rename)")
    writer.reopen()
    writer.line("four")
    follower.poll(budget: 1 << 20, lines: &lines)
    follower.poll(budget: 1 << 20, lines: &lines)
    #expect(texts(lines) == ["one", "two", "three (written to the old file after the rename)", "four"])
    #expect(Set(lines.map(\.origin.description)).count == 4, "every line has its own origin")
}

@Test func copytruncateReadsTheRestFromTheCopyAndRestartsAtZero() throws {
    let directory = try makeDirectory("copytruncate")
    let path = directory + "/app.log"
    let writer = Writer(path)
    var follower = LogFollower(path: path, resolved: path)
    var lines: [LogLine] = []
    follower.open(saved: nil, fromStart: true, lines: &lines)
    for index in 1...3 { writer.line("line \(index) with enough text to fill the fingerprint of the file") }
    follower.poll(budget: 1 << 20, lines: &lines)
    writer.line("line 4 written after our last read, before the copy")
    // logrotate's copytruncate: copy, then truncate in place; the writer (O_APPEND) goes on at the new end.
    let copy = HostFS(root: "/").readBytes(path)!
    try FileIO.writeAtomically(copy, to: path + ".1", mode: 0o644)
    truncate(path, 0)
    writer.line("line 5 after the truncation")
    follower.poll(budget: 1 << 20, lines: &lines)
    #expect(texts(lines).map { String($0.prefix(6)) } == ["line 1", "line 2", "line 3", "line 4", "line 5"])
    let generations = Set(lines.map(\.origin.generation))
    #expect(generations == [0, 1], "offsets after the truncation are a new generation: \(lines.map(\.origin.description))")
}

@Test func truncationRegrownPastTheOffsetIsNoticedByTheFirstBytes() throws {
    let directory = try makeDirectory("regrown")
    let path = directory + "/app.log"
    let writer = Writer(path)
    var follower = LogFollower(path: path, resolved: path)
    var lines: [LogLine] = []
    follower.open(saved: nil, fromStart: true, lines: &lines)
    writer.line("short first content")
    follower.poll(budget: 1 << 20, lines: &lines)
    truncate(path, 0)
    writer.line("a much longer second content that grows the file past the old offset")
    follower.poll(budget: 1 << 20, lines: &lines)
    #expect(texts(lines) == ["short first content", "a much longer second content that grows the file past the old offset"])
}

@Test func aRestartResumesAtTheSavedOffsetAndFindsAFileRotatedMeanwhile() throws {
    let directory = try makeDirectory("restart")
    let path = directory + "/app.log"
    let state = directory + "/logs.state"
    let settings = ["log.app.path": path, "log.app.rate": "100000"]
    let writer = Writer(path)
    writer.line("before the agent started")
    var tracker = LogTracker(fs: HostFS(root: "/"), statePath: state, settings: settings, logger: nil)
    #expect(tracker.poll(nowMs: 1000).isEmpty, "history is not imported")
    writer.line("first")
    writer.line("second")
    var events = tracker.poll(nowMs: 2000) + tracker.poll(nowMs: 3000)
    #expect(events.map(\.event.message) == ["first", "second"])
    tracker.save()

    // The agent is down: more lines, then a rotation by rename and a new file.
    writer.line("third")
    rename(path, path + ".1")
    writer.reopen()
    writer.line("fourth")
    var restarted = LogTracker(fs: HostFS(root: "/"), statePath: state, settings: settings, logger: nil)
    events = restarted.poll(nowMs: 4000) + restarted.poll(nowMs: 5000) + restarted.poll(nowMs: 6000)
    #expect(events.map(\.event.message) == ["third", "fourth"], "nothing lost, nothing repeated")
}

@Test func aJavaStackTraceBecomesOneRecordWithItsSeverityAndTime() throws {
    let directory = try makeDirectory("java")
    let path = directory + "/catalina.log"
    let writer = Writer(path)
    var tracker = LogTracker(fs: HostFS(root: "/"), statePath: nil,
                             settings: ["log.tomcat.path": directory + "/*.log", "log.tomcat.format": "java"], logger: nil)
    _ = tracker.poll(nowMs: 1000)
    writer.line("22-Nov-2026 13:00:00.250 SEVERE [http-nio-8080-exec-1] org.apache.catalina.core.StandardWrapperValve.invoke Servlet.service() threw exception")
    writer.line("java.lang.IllegalStateException: boom")
    writer.line("\tat com.example.crm.OrderServlet.doGet(OrderServlet.java:42)")
    writer.line("\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:564)")
    writer.line("Caused by: java.io.IOException: connection reset")
    writer.line("\t... 12 more")
    writer.line("22-Nov-2026 13:00:01.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [512] milliseconds")
    let events = tracker.poll(nowMs: 2000) + tracker.poll(nowMs: 3000)
    #expect(events.count == 2)
    let trace = try #require(events.first?.event)
    #expect(trace.severity == .error)
    #expect(trace.timeMs == 1_795_352_400_250 - LogLineParser.currentLocalOffset() * 1000)
    #expect(trace.message.split(separator: "\n").count == 6 && trace.message.contains("Caused by: java.io.IOException"))
    #expect(events.last?.event.severity == .info)
}

@Test func filtersLevelsAndRateLimitsCountWhatTheyDrop() throws {
    let directory = try makeDirectory("filters")
    let path = directory + "/app.log"
    let writer = Writer(path)
    var tracker = LogTracker(fs: HostFS(root: "/"), statePath: nil, settings: [
        "log.app.path": path, "log.app.level": "warning", "log.app.include": "order|payment",
        "log.app.exclude": "healthcheck", "log.app.rate": "1",
    ], logger: nil)
    _ = tracker.poll(nowMs: 1000)
    writer.line("INFO order 1 placed")                 // below the level
    writer.line("ERROR order healthcheck failed")      // excluded
    writer.line("ERROR inventory sync failed")         // not included
    for index in 1...15 { writer.line("ERROR payment \(index) declined") }
    let events = tracker.poll(nowMs: 1000) + tracker.poll(nowMs: 1000) + tracker.poll(nowMs: 12_000)
    let logs = events.filter { $0.event.kind == "log" }
    #expect(logs.count == 10, "a rate of 1/s allows a burst of 10")
    #expect(tracker.counts == LogTracker.LogCounts(sent: 10, belowLevel: 1, filtered: 2, rateLimited: 5))
    let reports = events.filter { $0.event.kind == "log-dropped" }.map(\.event)
    #expect(reports.allSatisfy { $0.severity == .warning && $0.message.contains("records of \(path) dropped by its rate limit of 1/s") })
    #expect(reports.compactMap { Int($0.message.prefix { $0 != " " }) }.reduce(0, +) == 5, "reports (at most one per 10 s) add up to what was dropped")
}

@Test func aBadFilterIsReportedAndItsSourceSkipped() {
    let sources = LogSource.configured(["log.bad.path": "/var/log/x.log", "log.bad.include": "([unclosed"], logger: nil)
    #expect(sources.isEmpty)
    for rate in ["nan", "inf", "1e300", "0", "fast"] {
        #expect(LogSource.configured(["log.x.path": "/var/log/x.log", "log.x.rate": rate], logger: nil).isEmpty, "rate \(rate) is refused")
    }
    #expect(throws: ConfigurationError.self) { try POSIXRegex("([unclosed") }
}

@Test func secretsAreRedactedWithAStableKeyedFingerprint() throws {
    let redactor = try Redactor(hashKey: Array("agent-local key".utf8))
    let text = """
        worker_connections 64;
        set $api_token "s3cr3t-value";
        <user username="admin" password="tomcat-pw" roles="manager-gui"/>
        requirepass hunter2
        db.password = p@ss
        upstream = postgres://crm:dbpass@10.0.0.5/crm
        password_file = /etc/secret/file
        """
    let redacted = redactor.redact(text)
    for secret in ["s3cr3t-value", "tomcat-pw", "hunter2", "p@ss", "dbpass", "/etc/secret/file"] {
        #expect(!redacted.contains(secret), "\(secret) leaked: \(redacted)")
    }
    #expect(redacted.contains("worker_connections 64;") && redacted.contains("roles=\"manager-gui\"") && redacted.contains("username=\"admin\""))
    #expect(redacted.contains("postgres://crm:<redacted:"))
    #expect(redactor.redact(text) == redacted, "the same secret gets the same fingerprint")
    #expect(redactor.redact(redacted) == redacted, "redacting twice changes nothing")
    let changed = redactor.redact(text.replacingOccurrences(of: "hunter2", with: "hunter3"))
    #expect(changed != redacted, "a changed secret shows as a changed fingerprint")
    let other = try Redactor(hashKey: Array("another agent".utf8))
    #expect(other.redact(text) != redacted, "fingerprints are keyed per agent")
}

@Test func configChangesAreSentOnceRedactedAndDeletionsToo() throws {
    let directory = try makeDirectory("configs")
    let path = directory + "/app.conf"
    try FileIO.writeAtomically(Array("port = 80\npassword = one\n".utf8), to: path, mode: 0o644)
    var tracker = ConfigTracker(fs: HostFS(root: "/"), statePath: directory + "/configs.state",
                                settings: ["config.app.path": directory + "/*.conf"], hashKey: [1, 2, 3], logger: nil)
    let first = tracker.poll(nowMs: 1000)
    #expect(first.count == 1 && first[0].snapshot.state == .present && first[0].snapshot.content.hasPrefix("port = 80\npassword = <redacted:"))
    #expect(tracker.poll(nowMs: 2000).isEmpty, "unchanged: nothing sent")
    tracker.save()
    try FileIO.writeAtomically(Array("port = 8080\npassword = one\n".utf8), to: path, mode: 0o644)
    var changed: [OwnedConfig] = []
    for second in 3...5 where changed.isEmpty { changed = tracker.poll(nowMs: Int64(second) * 1000); usleep(50_000) }
    #expect(changed.first?.snapshot.content.hasPrefix("port = 8080") == true)
    tracker.save()
    var restarted = ConfigTracker(fs: HostFS(root: "/"), statePath: directory + "/configs.state",
                                  settings: ["config.app.path": directory + "/*.conf"], hashKey: [1, 2, 3], logger: nil)
    #expect(restarted.poll(nowMs: 6000).isEmpty, "a restart sends only what changed while away")
    unlink(path)
    var deleted: [OwnedConfig] = []
    for second in 7...9 where deleted.isEmpty { deleted = restarted.poll(nowMs: Int64(second) * 1000); usleep(50_000) }
    #expect(deleted.first?.snapshot.state == .deleted)
}
