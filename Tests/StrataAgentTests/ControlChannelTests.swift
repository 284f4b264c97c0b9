import Foundation
import Logging
import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

/// A tiny HTTP/1.1 server on a loopback port for the command channel: answers each request with `answer` and
/// records it.
final class FakeCommandServer: @unchecked Sendable {
    // @unchecked: `requests` is read and written only under `lock`.
    struct Request: Sendable { var method: String; var path: String; var authorization: String; var body: String }
    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var requests: [Request] = []
    private let answer: @Sendable (Request, [Request]) -> (Int, String)

    init(answer: @escaping @Sendable (Request, [Request]) -> (Int, String)) throws {
        self.answer = answer
        (fd, port) = Loopback.listen()
        Thread.detachNewThread { self.serve() }
    }

    var received: [Request] { lock.withLock { requests } }

    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else { return }
            Thread.detachNewThread { self.handle(client) }
        }
    }

    private func handle(_ client: Int32) {
        defer { Glibc.close(client) }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            data += buffer[0..<count]
            guard let end = Self.headEnd(data) else { continue }
            let head = String(decoding: data[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            func header(_ name: String) -> String? {
                head.first { $0.lowercased().hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)).trimmingCharacters(in: .whitespaces) }
            }
            let length = header("content-length").flatMap { Int($0) } ?? 0
            guard data.count >= end + 4 + length else { continue }
            let requestLine = head[0].split(separator: " ")
            let request = Request(method: String(requestLine[0]), path: String(requestLine[1]), authorization: header("authorization") ?? "",
                                  body: String(decoding: data[(end + 4)..<(end + 4 + length)], as: UTF8.self))
            let earlier = lock.withLock { () -> [Request] in
                defer { requests.append(request) }
                return requests
            }
            let (status, body) = answer(request, earlier)
            let response = "HTTP/1.1 \(status) X\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
            _ = response.withCString { write(client, $0, strlen($0)) }
            return
        }
    }

    /// Where the blank line ending the head starts.
    static func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        return (0...(data.count - 4)).first { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }
    }
}

/// An agent's data directory with scripts, a fake server handing out `commands` until each is reported accepted or
/// refused, and a channel fetching from it.
struct ChannelBed {
    static let platformKey = "machine-id:channel-test"
    static let credential = "sag_channel"
    let data: String
    let server: FakeCommandServer
    let channel: ControlChannel

    /// `scripts`: name → shell text; `journal`: the journal's text at start; `commands`: (id, script, args, credential
    /// signing it).
    init(scripts: [String: String], journal: String = "", commands: [(id: String, script: String, signedWith: String)],
         scriptTimeoutMs: Int64 = 60_000, actionTimeoutMs: Int64 = 75_000) throws {
        data = NSTemporaryDirectory() + "strata-channel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: data + "/actions", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Written close-on-exec (see ControlExecutorTests.actionsDirectory).
        for (name, text) in scripts { try FileIO.writeAtomically(Array(("#!/bin/sh\n" + text).utf8), to: data + "/actions/" + name, mode: 0o700) }
        if !journal.isEmpty { try FileIO.writeAtomically(Array(journal.utf8), to: data + "/commands.journal") }
        let list = commands.map { command in
            (command.id, CommandWireTests.signed(command.id, key: Self.platformKey, action: "run-script",
                                                 parameters: [("args", command.id), ("script", command.script)],
                                                 agentID: "agent-ch", credential: command.signedWith).json)
        }
        server = try FakeCommandServer { request, earlier in
            guard request.method == "GET" else { return (200, #"{"status":"success","data":{"state":"ok"}}"#) }
            let settled = Set(earlier.filter { $0.method == "POST" && ($0.body.contains("accepted") || $0.body.contains("refused")) }
                .map { String($0.path.split(separator: "/").last ?? "") })
            let pending = list.filter { !settled.contains($0.0) }.map(\.1)
            if pending.isEmpty { usleep(50_000) }
            return (200, "{\"status\":\"success\",\"data\":{\"commands\":[\(pending.joined(separator: ","))]}}")
        }
        let port = server.port
        let session = ControlSession { try HTTPClient(baseURL: "http://127.0.0.1:\(port)") }
        session.set(credential: Self.credential)
        channel = try ControlChannel(agentID: "agent-ch", dataDirectory: data, fs: HostFS(root: "/"), session: session,
                                     logger: Logger(label: "test"), scriptTimeoutMs: scriptTimeoutMs, actionTimeoutMs: actionTimeoutMs)
        channel.registry.update(platformKey: Self.platformKey, targets: [])
        channel.start()
    }

    func close() {
        channel.stop()
        server.close()
        try? FileManager.default.removeItem(atPath: data)
    }

    /// The bodies of the reports on `id`, in order.
    func reports(_ id: String) -> [String] {
        server.received.filter { $0.method == "POST" && $0.path == "/api/agent/v1/commands/\(id)" }.map(\.body)
    }

    /// Waits (at most 10 s) until `done`, then until every report went out.
    func wait(until done: () -> Bool) {
        for _ in 0..<1000 where !done() || channel.outbox.count > 0 { usleep(10_000) }
        usleep(200_000)
    }

    var journal: [String] { (try? String(contentsOfFile: data + "/commands.journal", encoding: .utf8))?.split(separator: "\n").map(String.init) ?? [] }
}

@Suite struct ControlChannelTests {
    @Test func commandsRunOnceAreReportedInOrderAndInterruptedOnesNeverRun() throws {
        let marker = NSTemporaryDirectory() + "strata-runs-\(UUID().uuidString)"
        defer { unlink(marker) }
        // The agent stopped while running "old": it must be reported interrupted, never run.
        let bed = try ChannelBed(scripts: ["note": "echo \"$1\" >> \(marker)\necho ran \"$1\"\n"], journal: "old accepted\n",
                                 commands: [("new", "note", ChannelBed.credential), ("old", "note", ChannelBed.credential),
                                            ("forged", "note", "sag_attacker")])
        defer { bed.close() }
        bed.wait { bed.reports("new").count >= 3 && !bed.reports("old").isEmpty && !bed.reports("forged").isEmpty }
        let new = bed.reports("new")
        #expect(new.count == 3 && new[0] == #"{"state":"accepted"}"# && new[1] == #"{"state":"running"}"#, "\(new)")
        #expect(new.last?.hasPrefix(#"{"state":"succeeded","exitStatus":0,"stdout":"ran new\n","stderr":"","message":"note exited with status 0","durationMs":"#) == true, "\(new)")
        #expect(bed.reports("old") == [#"{"state":"interrupted","message":"the agent stopped while running it; its outcome is unknown"}"#])
        #expect(bed.reports("forged").first?.hasPrefix(#"{"state":"refused","message":"bad signature"#) == true)
        #expect(bed.server.received.allSatisfy { $0.authorization == "Bearer \(ChannelBed.credential)" })
        #expect(bed.server.received.first { $0.method == "GET" }?.path == "/api/agent/v1/commands?waitMs=25000")
        // Fetched again and again, each command ran once, "old" never.
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "new\n")
        let lines = bed.journal
        #expect(lines.sorted() == ["new accepted", "new done", "old accepted", "old done"] && lines.first == "old accepted" && lines.last == "new done",
                "\(lines)")
    }

    @Test func anActionWithoutAResultInTimeIsReportedFailedAndOthersRunMeanwhile() throws {
        let bed = try ChannelBed(scripts: ["hang": "sleep 3\necho late\n", "quick": "echo quick\n"],
                                 commands: [("hung", "hang", ChannelBed.credential), ("quick", "quick", ChannelBed.credential)],
                                 scriptTimeoutMs: 10_000, actionTimeoutMs: 500)
        defer { bed.close() }
        bed.wait { bed.reports("hung").count >= 3 && bed.reports("quick").count >= 3 }
        let hung = bed.reports("hung")
        #expect(hung.count == 3 && hung.last?.hasPrefix(#"{"state":"failed","message":"no result within 500 ms; given up"#) == true, "\(hung)")
        #expect(bed.reports("quick").last?.hasPrefix(#"{"state":"succeeded""#) == true, "another script ran while the first hung")
        #expect(bed.journal.contains("hung done"))
        usleep(3_500_000)
        #expect(bed.reports("hung").count == 3, "the late result is dropped")
    }
}
