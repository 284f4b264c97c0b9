import StrataInventory
import StrataWire

/// libFuzzer entry: an import's decoders of outside input — the JSON document (decoded strictly as the route does,
/// validated and resolved), OpenMetrics history and CSV inventories — must never trap, whatever the bytes. The first
/// byte picks the decoder.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImport(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let mode = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    let validator = ImportValidator(oldestMs: 0, newestMs: ImportTime.latestMs)
    switch mode % 3 {
    case 0:
        guard let document = try? JSONBody.decode(ImportDocument.self, from: rest, allowedFields: ["version", "resources", "series", "openmetrics"],
                                                  example: "{}") else { return 0 }
        _ = try? validator.validate(document).resolve(tenantID: "t", inventory: ImportInventory([]))
    case 1:
        _ = try? OpenMetricsHistory.parse(String(decoding: rest, as: UTF8.self), resource: "r", record: "openmetrics[0]", limits: ImportLimits())
    default:
        guard let document = try? InventoryCSV.document(String(decoding: rest, as: UTF8.self)) else { return 0 }
        _ = try? validator.validate(document)
    }
    return 0
}
