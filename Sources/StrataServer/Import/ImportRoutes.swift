import Hummingbird
import StrataAPI
import StrataCatalog
import StrataInventory
import StrataWire

/// `POST /api/v1/import`: an import document (docs/import.md) into the caller's tenant — permission `manage`
/// (it changes the inventory) and `write` (it stores samples), audited. 400 naming the record for a bad document,
/// 413 above the body limit or the counts of `ImportLimits`; the answer counts what changed (`API.ImportResult`).
struct ImportRoutes {
    let importer: Importer
    let audit: AuditTrail
    let maxBodyBytes: Int

    static let example = #"{"resources": [{"kind": "platform", "key": "db-01"}], "series": [{"resource": "db-01", "metric": "cpu_used_cores", "samples": [["2026-11-01T00:00:00Z", 3.5]]}]}"#

    func register(on group: SecuredGroup) {
        group.post("import", .permission(.manage)) { request, context in
            let principal = try context.requirePrincipal()
            if let denial = principal.denial(.write) { throw APIError.forbidden(denial) }
            let body = try await StrictJSON.body(of: request, limit: maxBodyBytes)
            let document = try StrictJSON.decode(ImportDocument.self, from: body, allowedFields: StrictJSON.fields(of: ImportDocument.CodingKeys.self),
                                                 nestedFields: ["resources": StrictJSON.fields(of: ImportResource.CodingKeys.self),
                                                                "series": ["resource", "metric", "type", "labels", "samples"],
                                                                "openmetrics": ["resource", "text"]],
                                                 example: Self.example)
            let now = Time.nowMs()
            let result: API.ImportResult
            do {
                result = try await importer.run(document, tenantID: principal.tenantID, nowMs: now)
            } catch let error as ImportError {
                throw error.tooLarge ? APIError.tooLarge(error.description) : APIError.badData(error.description)
            }
            await audit.record(principal, "import", target: "tenant:\(principal.tenantID)",
                               detail: "\(document.resources.count) resources (\(result.resourcesCreated) new, \(result.resourcesUpdated) changed), "
                                   + "\(result.seriesCreated) new series, \(result.samplesWritten) samples written",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(result)
        }
    }
}
