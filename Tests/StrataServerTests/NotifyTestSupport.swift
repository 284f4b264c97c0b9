import Foundation
import Logging
import Testing
@testable import StrataServer

#if canImport(Glibc)
import Glibc
#endif

/// A TCP socket listening on 127.0.0.1 that never accepts: the kernel completes connections into its
/// backlog, so a client connects and then hears nothing — a receiver that "accepts and never answers".
/// Closed (and its port freed) by `close()`.
final class SilentListener: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, size) == 0 && listen(descriptor, 16) == 0 && getsockname(descriptor, generic, &size) == 0
            }
        }
        guard bound else {
            _ = Glibc.close(descriptor)
            throw NotifyTestError("cannot listen on 127.0.0.1: errno \(errno)")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(descriptor) }

    /// A port nothing listens on right now (bound, read and released; another process could take it
    /// before the caller does, which on loopback in a test is rare enough).
    static func freePort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }
}

struct NotifyTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A server process started for a test and stopped (SIGKILL, then waited for) by `stop()`. SIGKILL because
/// the test runner's threads block SIGTERM and a spawned child inherits that mask, so SIGTERM would never
/// arrive; a test server has nothing to flush.
final class TestServerProcess: Sendable {
    private let process: Process
    let logPath: String

    /// Starts `executable` with `arguments`, its output in `logPath`.
    init(_ executable: String, _ arguments: [String], logPath: String) throws {
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        self.logPath = logPath
    }

    /// Waits until something accepts connections on 127.0.0.1:`port`, or fails with the process's log. Generous: in the
    /// full suite the integration tests' blocking waits can hold both cooperative threads of this 2-core machine for
    /// seconds at a time, so a short wall-clock budget failed while nothing was wrong.
    func waitForPort(_ port: Int, within seconds: Double = 90) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard process.isRunning else { break }
            if Self.accepts(port) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw NotifyTestError("server on port \(port) did not start: \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
    }

    func stop() {
        if process.isRunning { _ = kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    private static func accepts(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// Where a test's files go: a fresh directory under /tmp/strata-tests, removed by the caller.
func notifyTemporaryDirectory(_ name: String) throws -> String {
    let path = "/tmp/strata-tests/\(name)-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The first of `candidates` that is an executable file, or nil (the test then skips).
func notifyExecutable(_ candidates: String...) -> String? {
    candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Makes a self-signed certificate for 127.0.0.1 and localhost with the openssl CLI; returns the paths of
/// the certificate (also usable as the CA to trust) and its key.
func makeSelfSignedCertificate(in directory: String) throws -> (certificate: String, key: String) {
    guard let openssl = notifyExecutable("/usr/bin/openssl") else { throw NotifyTestError("openssl is not installed") }
    let (certificate, key) = ("\(directory)/cert.pem", "\(directory)/key.pem")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: openssl)
    process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", certificate]
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw NotifyTestError("openssl req failed with status \(process.terminationStatus)") }
    return (certificate, key)
}

/// A notification as the evaluator would build it.
func sampleNotification(status: String = "firing", id: String = "d-\(UInt32.random(in: 0...UInt32.max))",
                        definitionName: String = "High CPU") -> AlertNotification {
    AlertNotification(
        id: id, alertID: "alert-1", definitionID: "def-cpu", definitionName: definitionName, tenantID: "tenant-a",
        status: status, severity: "critical", resourceID: "res-web1", resourceName: "web-1", resourceKind: "host",
        labels: ["team": "ops", "service.tier": "front"], annotations: ["summary": "CPU above 90 % for 5 min"],
        value: 97.5, startsAtMs: 1_764_669_600_000, endsAtMs: status == "resolved" ? 1_764_670_200_000 : nil,
        transitionAtMs: status == "resolved" ? 1_764_670_200_000 : 1_764_669_600_000)
}

/// A delivery with a test logger.
/// A delivery whose default timeout is long enough for a loaded test run (tests of the timeout pass their own).
func testDelivery(timeout: Duration = .seconds(30)) -> NotificationDelivery {
    NotificationDelivery(logger: Logger(label: "notify-test"), timeout: timeout)
}
