import StrataAlerting
import StrataCatalog

extension AlertEvaluator {
    /// Applies a scan of the definition files: each file that read cleanly replaces the definitions that came from it
    /// (those it no longer holds are deleted); a file with an error changes nothing.
    func applyFiles(_ scan: DefinitionFiles.Scan) async {
        let refused = Set(scan.errors.map(\.path))
        var kept = Set<String>()
        for file in scan.files {
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
            _ = try? await remove(tenantID: definition.tenantID, id: definition.id)
        }
    }
}
