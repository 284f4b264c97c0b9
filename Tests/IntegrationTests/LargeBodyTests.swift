import Foundation
import Testing

/// Bodies over a route's limit, sent by a client that asked for `Connection: close` and writes the whole body
/// before reading (as simple HTTP clients do): it gets its 413 and the connection's end, instead of staying
/// blocked in its write while the server waits for it to close.
@Suite(.serialized) struct LargeBodyTests {
    static let client = #"""
        import base64, json, socket, sys
        port, path, size, kind = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
        s = socket.create_connection(("127.0.0.1", port))
        s.settimeout(30)
        auth = base64.b64encode(b"admin:" + sys.argv[5].encode()).decode()
        head = (f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {auth}\r\nContent-Type: {kind}\r\n"
                f"Content-Length: {size}\r\nConnection: close\r\n\r\n").encode()
        result = {"sent": 0}
        try:
            s.sendall(head)
            chunk = b"x" * 65536
            while result["sent"] < size:
                result["sent"] += s.send(chunk[: size - result["sent"]])
            reply = b""
            while True:
                data = s.recv(65536)
                if not data: break
                reply += data
            result["status"] = int(reply.split(b" ")[1]) if reply else 0
            result["eof"] = True
        except Exception as error:
            result["error"] = str(error)
        print(json.dumps(result))
        """#

    @Test func aClientThatAsksToCloseGetsItsTooLargeAnswerOnEveryRoute() throws {
        let bed = try Testbed("large-body")
        let server = try bed.startServer()
        defer { server.terminate() }
        try Self.client.write(toFile: bed.directory + "/client.py", atomically: true, encoding: .utf8)
        for (path, kind) in [("/api/v1/alert-definitions", "application/json"), ("/api/v1/write", "application/x-protobuf"),
                             ("/api/v1/silences", "application/json")] {
            let output = bed.directory + "/client-\(path.split(separator: "/").last ?? "").json"
            let client = try StrataProcess(executable: "/usr/bin/python3", [bed.directory + "/client.py", String(bed.port), path, String(48 << 20), kind,
                                                                            Testbed.password], logPath: output)
            try waitUntil("the client of \(path) done", timeout: 120) { !client.isRunning }
            let text = try String(contentsOfFile: output, encoding: .utf8)
            let result = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
            #expect(result["status"] as? Int == 413, "\(path): \(text)")
            #expect(result["eof"] as? Bool == true && result["error"] == nil, "\(path): \(text)")
        }
    }
}
