/// Strata's release version, one number for the server, the CLI and the agent (`strata version`,
/// `strata --version`, `strata-agent --version`; agents report it at enrollment).
public enum StrataVersion {
    /// The version, semantic-versioning style.
    public static let number = "0.1.0"

    /// What `version` commands print: the program, the version, the platform it was built for.
    public static func line(program: String) -> String {
        "\(program) \(number) (\(platform))"
    }

    /// The operating system and CPU the binary was built for.
    public static var platform: String {
        #if os(Linux)
        let system = "linux"
        #elseif os(macOS)
        let system = "darwin"
        #else
        let system = "unknown"
        #endif
        #if arch(x86_64)
        return system + " x86_64"
        #elseif arch(arm64)
        return system + " arm64"
        #else
        return system
        #endif
    }
}
