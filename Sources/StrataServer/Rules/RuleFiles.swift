import Foundation
import StrataAPI
import StrataRules

/// Prometheus rule files kept in the data directory: `DATA/rules/*.yml` (and `.yaml`) for the default tenant,
/// `DATA/rules/TENANT/*.yml` for another tenant (a rule file has no place to name its tenant: Prometheus's format
/// refuses unknown fields). Alerts of a tenant's rules are told to the targets in its `notify.json` (a JSON list of
/// notification targets, as a definition's `notify`). Read at start and on SIGHUP.
enum RuleFiles {
    /// One tenant's file that read cleanly.
    struct Loaded: Sendable {
        var tenantID: String
        var file: RuleFile
    }

    /// What reading the directory found.
    struct Scan: Sendable {
        var files: [Loaded] = []
        /// Each refused file with its problems (one per line).
        var errors: [(path: String, message: String)] = []
        /// Each tenant's notification targets for rule alerts.
        var targets: [String: [API.NotifyTarget]] = [:]
        /// Every rule file seen, read cleanly or not.
        var paths: Set<String> { Set(files.map(\.file.path)).union(errors.map(\.path)) }
    }

    static func isRuleFile(_ name: String) -> Bool {
        (name.hasSuffix(".yml") || name.hasSuffix(".yaml")) && !name.hasPrefix(".")
    }

    /// Reads `directory` (missing: no rules).
    static func scan(_ directory: String) -> Scan {
        var scan = Scan()
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        var tenants: [(String, String)] = [("default", directory)]
        for name in names where !name.hasPrefix(".") {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), isDirectory.boolValue {
                tenants.append((name, directory + "/" + name))
            }
        }
        for (tenant, folder) in tenants {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter(isRuleFile).sorted()
            for name in files {
                let path = folder + "/" + name
                switch RuleFileParser.read(path: path) {
                case .success(let file): scan.files.append(Loaded(tenantID: tenant, file: file))
                case .failure(let errors): scan.errors.append((path, errors.description))
                }
            }
            let notifyPath = folder + "/notify.json"
            guard FileManager.default.fileExists(atPath: notifyPath) else { continue }
            do {
                scan.targets[tenant] = try targets(notifyPath)
            } catch {
                scan.errors.append((notifyPath, "\(notifyPath): \(error)"))
            }
        }
        return scan
    }

    /// The targets of a `notify.json`, each checked as a definition's.
    static func targets(_ path: String) throws -> [API.NotifyTarget] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 1 << 20 else {
            throw DefinitionError(field: "notify", message: "cannot be read, or larger than 1 MiB")
        }
        let targets: [API.NotifyTarget]
        do { targets = try JSONDecoder().decode([API.NotifyTarget].self, from: data) } catch {
            throw DefinitionError(field: "notify", message: "expected a JSON list of notification targets ([{\"type\": \"webhook\", \"url\": …}]): \(error)")
        }
        for (index, target) in targets.enumerated() { try DefinitionCompiler.validate(target, field: "notify[\(index)]") }
        return targets
    }
}
