import Foundation
import Testing
@testable import StrataServer

@Test func environmentOverridesTheFile() throws {
    let path = "/tmp/strata-tests/config-\(UInt32.random(in: 0...UInt32.max)).yaml"
    try FileManager.default.createDirectory(atPath: "/tmp/strata-tests", withIntermediateDirectories: true)
    try "listen: 0.0.0.0:9000\ndata: /var/lib/strata\nlog_level: debug\n".write(toFile: path, atomically: true, encoding: .utf8)
    var configuration = ServerConfiguration()
    try configuration.apply(yamlFile: path)
    #expect(configuration.host == "0.0.0.0")
    #expect(configuration.port == 9000)
    #expect(configuration.dataDirectory == "/var/lib/strata")
    try configuration.apply(environment: ["STRATA_LISTEN": "[::1]:7481", "STRATA_LOG_LEVEL": "warning"])
    #expect(configuration.host == "::1")
    #expect(configuration.port == 7481)
    #expect(configuration.logLevel == "warning")
    #expect(configuration.dataDirectory == "/var/lib/strata")
}

@Test func badConfigurationIsExplained() throws {
    var configuration = ServerConfiguration()
    #expect(throws: ConfigurationError.invalid(source: "--listen", reason: "\"nohost\" is not HOST:PORT")) {
        try configuration.setListen("nohost", source: "--listen")
    }
    #expect(throws: ConfigurationError.self) { try configuration.apply(yamlFile: "/nonexistent/strata.yaml") }
    #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["STRATA_MISSED_INTERVALS": "zero"]) }
}

@Test func storageDurationsComeFromTheFileAndTheEnvironment() throws {
    let path = "/tmp/strata-tests/storage-\(UInt32.random(in: 0...UInt32.max)).yaml"
    try FileManager.default.createDirectory(atPath: "/tmp/strata-tests", withIntermediateDirectories: true)
    try "block_duration: 1h\nretention_raw: 7d\nretention_1h: 365d\n".write(toFile: path, atomically: true, encoding: .utf8)
    var configuration = ServerConfiguration()
    try configuration.apply(yamlFile: path)
    try configuration.apply(environment: ["STRATA_RETENTION_1M": "30d"])
    #expect(configuration.blockDurationMs == 3_600_000)
    #expect(configuration.retentionMs == ["raw": 7 * 86_400_000, "1m": 30 * 86_400_000, "1h": 365 * 86_400_000])
    #expect(throws: ConfigurationError.invalid(source: "STRATA_BLOCK_DURATION", reason: "expected a duration such as 30s, 2h or 90d")) {
        try configuration.apply(environment: ["STRATA_BLOCK_DURATION": "soon"])
    }
}

@Test func theIdleTimeoutComesFromTheFileAndTheEnvironmentWithinFiveSecondsToAnHour() throws {
    let path = "/tmp/strata-tests/idle-\(UInt32.random(in: 0...UInt32.max)).yaml"
    try FileManager.default.createDirectory(atPath: "/tmp/strata-tests", withIntermediateDirectories: true)
    try "idle_timeout: 2m\n".write(toFile: path, atomically: true, encoding: .utf8)
    var configuration = ServerConfiguration()
    #expect(configuration.idleTimeoutMs == 60_000)
    try configuration.apply(yamlFile: path)
    #expect(configuration.idleTimeoutMs == 120_000)
    try configuration.apply(environment: ["STRATA_IDLE_TIMEOUT": "90s"])
    #expect(configuration.idleTimeoutMs == 90_000)
    // Below 5 s, curl's wait for a `100 Continue` before a large body would outlast it.
    #expect(throws: ConfigurationError.invalid(source: "STRATA_IDLE_TIMEOUT", reason: "expected 5s to 1h")) {
        try configuration.apply(environment: ["STRATA_IDLE_TIMEOUT": "1s"])
    }
    #expect(throws: ConfigurationError.self) { try configuration.apply(environment: ["STRATA_IDLE_TIMEOUT": "2d"]) }
}
