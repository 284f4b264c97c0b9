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

@Suite struct ControlChannelTests {
    static let platformKey = "machine-id:channel-test"

    @Test func commandsRunOnceAreReportedInOrderAndInterruptedOnesNeverRun() throws {
        let data = NSTemporaryDirectory() + "strata-channel-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: data + "/actions", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: data) }
        let marker = data + "/runs"
        try FileIO.writeAtomically(Array("#!/bin/sh\necho \"$1\" >> \(marker)\necho ran \"$1\"\n".utf8), to: data + "/actions/note", mode: 0o700)
        // The agent stopped while running "old": it must be reported interrupted, never run.
        try "old accepted\n".write(toFile: data + "/commands.journal", atomically: false, encoding: .utf8)

        let credential = "sag_channel"
        func command(_ id: String, signedWith: String = credential) -> String {
            CommandWireTests.signed(id, key: Self.platformKey, action: "run-script", parameters: [("args", id), ("script", "note")],
                                    agentID: "agent-ch", credential: signedWith).json
        }
        let list = [("new", command("new")), ("old", command("old")), ("forged", command("forged", signedWith: "sag_attacker"))]
        let server = try FakeCommandServer { request, earlier in
            guard request.method == "GET" else { return (200, #"{"state":"ok"}"#) }
            // The server hands a command out until it is reported accepted or refused.
            let settled = Set(earlier.filter { $0.method == "POST" && ($0.body.contains("accepted") || $0.body.contains("refused")) }
                .map { String($0.path.split(separator: "/").last ?? "") })
            let pending = list.filter { !settled.contains($0.0) }.map(\.1)
            if pending.isEmpty { usleep(50_000) }
            return (200, "{\"commands\":[\(pending.joined(separator: ","))]}")
        }
        defer { server.close() }
        let session = ControlSession { try HTTPClient(baseURL: "http://127.0.0.1:\(server.port)") }
        session.set(credential: credential)
        let channel = try ControlChannel(agentID: "agent-ch", dataDirectory: data, fs: HostFS(root: "/"), session: session,
                                         logger: Logger(label: "test"))
        channel.registry.update(platformKey: Self.platformKey, targets: [])
        channel.start()
        defer { channel.stop() }

        func reports(_ id: String) -> [String] {
            server.received.filter { $0.method == "POST" && $0.path == "/api/agent/v1/commands/\(id)" }.map(\.body)
        }
        for _ in 0..<1000 where reports("new").count < 3 || reports("old").isEmpty || reports("forged").isEmpty || channel.outbox.count > 0 {
            usleep(10_000)
        }
        usleep(200_000)
        let new = reports("new")
        #expect(new.count == 3 && new[0] == #"{"state":"accepted"}"# && new[1] == #"{"state":"running"}"#, "\(new)")
        #expect(new.last?.hasPrefix(#"{"state":"succeeded","exitStatus":0,"stdout":"ran new\n","stderr":"","message":"note exited with status 0","durationMs":"#) == true, "\(new)")
        #expect(reports("old") == [#"{"state":"interrupted","message":"the agent stopped while running it; its outcome is unknown"}"#])
        #expect(reports("forged").first?.hasPrefix(#"{"state":"refused","message":"bad signature"#) == true)
        #expect(server.received.allSatisfy { $0.authorization == "Bearer \(credential)" })
        #expect(server.received.first { $0.method == "GET" }?.path == "/api/agent/v1/commands?waitMs=25000")
        // Fetched again and again, each command ran once, "old" never.
        #expect(try String(contentsOfFile: marker, encoding: .utf8) == "new\n")
        let journal = try String(contentsOfFile: data + "/commands.journal", encoding: .utf8)
        let lines = journal.split(separator: "\n").map(String.init)
        #expect(lines.sorted() == ["new accepted", "new done", "old accepted", "old done"] && lines.first == "old accepted" && lines.last == "new done",
                "\(journal)")
    }
}
