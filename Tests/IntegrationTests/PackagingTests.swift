import Foundation
import Testing

/// `make install`'s script on a prefix: binaries that tell their version, systemd units that systemd accepts and
/// rates as hardened, a sample configuration the installed server starts with, an agent environment file that
/// keeps its secret to its owner, and an operator's edited configuration left alone on a second install.
@Suite(.serialized) struct PackagingTests {
    static let debugDirectory = StrataProcess.packageRoot + "/.build/debug"

    /// Runs scripts/install.sh with `environment`; its status and output.
    static func install(_ environment: [String: String]) throws -> (status: Int32, output: String) {
        try runTool("/bin/bash", [StrataProcess.packageRoot + "/scripts/install.sh"],
                    environment: ProcessInfo.processInfo.environment.merging(environment.merging(["BUILD_DIR": debugDirectory]) { $1 }) { $1 })
    }

    @Test func installedBinariesUnitsAndSampleConfigurationWork() throws {
        let bed = try Testbed("packaging")
        let prefix = bed.directory + "/prefix"
        let installed = try Self.install(["PREFIX": prefix])
        #expect(installed.status == 0, "\(installed.output)")

        let version = try runTool(prefix + "/bin/strata", ["version"])
        let agentVersion = try runTool(prefix + "/bin/strata-agent", ["--version"])
        #expect(version.status == 0 && version.output.hasPrefix("strata 0."), "\(version)")
        #expect(agentVersion.status == 0 && agentVersion.output.hasPrefix("strata-agent "), "\(agentVersion)")
        #expect(version.output.split(separator: " ").dropFirst().first == agentVersion.output.split(separator: " ").dropFirst().first,
                "server and agent report one version")

        let units = prefix + "/lib/systemd/system"
        for unit in ["strata-server.service", "strata-agent.service"] {
            let text = try String(contentsOfFile: units + "/" + unit, encoding: .utf8)
            #expect(!text.contains("@BINDIR@") && !text.contains("@SYSCONFDIR@"), "\(unit): placeholders filled in")
            #expect(text.contains("ExecStart=" + prefix + "/bin/"), "\(unit) runs the installed binary")
            let verified = try runTool("/usr/bin/systemd-analyze", ["verify", units + "/" + unit])
            #expect(verified.status == 0, "systemd-analyze verify \(unit): \(verified.output)")
            let security = try runTool("/usr/bin/systemd-analyze", ["security", "--offline=yes", units + "/" + unit])
            let exposure = security.output.split(separator: "\n").last { $0.contains("Overall exposure level") }
                .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
            #expect(exposure.map { $0 <= 3.0 } == true, "\(unit) rated OK or better by systemd-analyze security: \(exposure ?? -1)")
        }
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/doc/strata/systemd/control.conf"))
        #expect(FileManager.default.fileExists(atPath: prefix + "/share/doc/strata/install.md"))
        let environmentFile = prefix + "/etc/strata/agent.env"
        let mode = (try FileManager.default.attributesOfItem(atPath: environmentFile)[.posixPermissions] as? Int) ?? 0
        #expect(mode == 0o600, "agent.env holds the enrollment token: owner only")

        // The sample configuration as installed (TLS auto), on this bed's port and directory.
        let server = try StrataProcess(executable: prefix + "/bin/strata",
                                       ["server", "--config", prefix + "/etc/strata/strata.yml", "--listen", "127.0.0.1:\(bed.port)",
                                        "--data", bed.directory + "/data"],
                                       environment: ["STRATA_BOOTSTRAP_ADMIN_PASSWORD": Testbed.password], logPath: bed.directory + "/server.log")
        defer { server.terminate() }
        try waitUntil("the installed server's /healthz over TLS", timeout: 60) {
            try curl(["--cacert", bed.directory + "/data/tls/ca.pem", "https://127.0.0.1:\(bed.port)/healthz"]).output.contains("healthy")
        }

        // A second install keeps the operator's edits and puts the new sample beside them.
        let edited = "listen: \"127.0.0.1:7999\"\n"
        try edited.write(toFile: prefix + "/etc/strata/strata.yml", atomically: true, encoding: .utf8)
        let again = try Self.install(["PREFIX": prefix])
        #expect(again.status == 0 && again.output.contains("kept"), "\(again.output)")
        #expect(try String(contentsOfFile: prefix + "/etc/strata/strata.yml", encoding: .utf8) == edited)
        #expect(FileManager.default.fileExists(atPath: prefix + "/etc/strata/strata.yml.new"))
    }

    @Test func aMissingBuildIsRefusedWithWhatToDo() throws {
        let bed = try Testbed("packaging-missing")
        let result = try runTool("/bin/bash", [StrataProcess.packageRoot + "/scripts/install.sh"],
                                 environment: ProcessInfo.processInfo.environment.merging(["PREFIX": bed.directory, "BUILD_DIR": bed.directory + "/none"]) { $1 })
        #expect(result.status == 1)
        #expect(!FileManager.default.fileExists(atPath: bed.directory + "/bin"), "nothing half-installed")
    }
}
