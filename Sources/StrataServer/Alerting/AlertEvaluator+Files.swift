import StrataAlerting
import StrataCatalog

extension AlertEvaluator {
    /// Applies a scan of the definition files: each file that read cleanly replaces the definitions that came from it
    /// (those it no longer holds are deleted); a file with an error changes nothing.
    func applyFiles(_ scan: DefinitionFiles.Scan) async {
        let refused = Set(scan.errors.map(\.path))
        var kept = Set<String>()
        let tenants = Set(((try? await catalog.tenants()) ?? []).map(\.id))
        for file in scan.files {
            if !tenants.isEmpty, !tenants.contains(file.tenantID) {
                logger.error("alert definition file not applied: no such tenant (create it, or fix the file's tenant:)",
                             metadata: ["file": "\(file.path)", "tenant": "\(file.tenantID)", "tenants": "\(tenants.sorted().joined(separator: ", "))"])
                kept.formUnion(index.definitions.values.filter { $0.origin == file.path }.map(\.id))
                continue
            }
            for body in file.definitions {
                let id = AlertDefinition.id(tenantID: file.tenantID, name: body.name)
                if let existing = index.definitions[id], existing.origin != file.path {
                    logger.error("alert definition in file not applied: the name is taken by a definition from elsewhere",
                                 metadata: ["file": "\(file.path)", "definition": "\(body.name)", "origin": "\(existing.origin)"])
                    kept.insert(id)
                    continue
                }
                do {
                    let definition = try await define(body, tenantID: file.tenantID, origin: file.path)
                    kept.insert(definition.id)
                } catch {
                    logger.error("alert definition from file not applied", metadata: ["file": "\(file.path)", "definition": "\(body.name)", "error": "\(error)"])
                }
            }
        }
        for definition in index.definitions.values where definition.origin != "api" && !refused.contains(definition.origin) && !kept.contains(definition.id) {
            // Rule files' alerting rules come and go with `DATA/rules` (RuleEngine), not with these files.
            if case .rule = definition.condition { continue }
            _ = try? await remove(tenantID: definition.tenantID, id: definition.id)
        }
    }
}
