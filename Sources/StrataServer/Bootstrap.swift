import Foundation
import StrataCatalog

/// First-start credentials: the `admin` user and an agent enrollment token. Only secrets generated now
/// appear here (and in `initial-credentials`): one supplied by the environment is the operator's already,
/// and is never printed or stored in plain text.
public struct BootstrapCredentials: Sendable {
    /// The generated admin password (plain text, shown once); nil when the environment supplied it.
    public var adminPassword: String?
    /// The generated agent enrollment token (plain text, shown once); nil when the environment supplied it.
    public var agentToken: String?
    /// Whether either was generated rather than supplied by the environment.
    public var generated: Bool { adminPassword != nil || agentToken != nil }
}

enum Bootstrap {
    /// Name of the file (mode 0600, in the data directory) that keeps generated first-start credentials
    /// for the operator, like Jenkins' `initialAdminPassword`. Delete it once you have changed them.
    static let credentialsFile = "initial-credentials"

    /// Creates the admin user and agent token if the catalog has no user yet. Returns the credentials
    /// only when they were created now.
    static func run(catalog: any Catalog, configuration: ServerConfiguration) async throws -> BootstrapCredentials? {
        let password = configuration.bootstrapAdminPassword ?? Secrets.randomText(length: 20)
        let token = configuration.bootstrapAgentToken ?? Secrets.newToken(prefix: "sat")
        let created = try await catalog.bootstrap(adminPasswordHash: Secrets.hashPassword(password),
                                                  agentTokenHash: Secrets.hashToken(token), nowMs: Time.nowMs())
        guard created else { return nil }
        let credentials = BootstrapCredentials(adminPassword: configuration.bootstrapAdminPassword == nil ? password : nil,
                                               agentToken: configuration.bootstrapAgentToken == nil ? token : nil)
        if credentials.generated {
            let path = configuration.dataDirectory + "/" + credentialsFile
            // The names the CLI reads, exported: `. DATA/initial-credentials` logs a shell in (`strata resources`).
            var text = "export STRATA_USER=admin\n"
            if let password = credentials.adminPassword { text += "export STRATA_PASSWORD='\(password)'\n" }
            if let token = credentials.agentToken { text += "export STRATA_AGENT_TOKEN='\(token)'\n" }
            guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw BootstrapError.cannotWrite(path)
            }
        }
        return credentials
    }
}

/// Why first-start bootstrap failed.
enum BootstrapError: Error, CustomStringConvertible {
    /// The credentials file could not be written.
    case cannotWrite(String)

    var description: String { "cannot write \(self.path); check that the data directory is writable" }

    private var path: String {
        switch self { case .cannotWrite(let path): return path }
    }
}
