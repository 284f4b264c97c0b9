#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging

/// Credentials and overrides for status interfaces: `DATA/plugins.conf`, `plugin.key = value` lines
/// (e.g. `redis.password = …`, `nginx.status_url = http://127.0.0.1:8080/status`). Never taken from
/// command lines and never logged; a file others can read is refused with a warning.
enum PluginSettings {
    /// The settings at `path`, or none when it is missing or readable by group or others.
    static func load(path: String, logger: Logger) -> [String: String] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [:] }
        guard info.st_mode & 0o077 == 0 else {
            logger.warning("ignoring plugin settings readable by others; chmod 600 it", metadata: ["path": "\(path)"])
            return [:]
        }
        guard let text = HostFS(root: "/").read(path) else { return [:] }
        var settings: [String: String] = [:]
        for (key, value) in parseKeyValueFile(text) {
            settings[key.trimmingSpaces] = value.trimmingSpaces
        }
        return settings
    }
}
