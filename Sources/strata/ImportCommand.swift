import ArgumentParser
import Foundation
import StrataAPI
import StrataInventory

/// `strata import FILE` posts an import document (docs/import.md) to `POST /api/v1/import`; `--csv` converts a CSV
/// inventory of physical servers with utilisation history into one first (`InventoryCSV`), and `--print` shows the
/// document instead of sending it.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import resources, relations, placements and history from a JSON document (or a CSV inventory with --csv).",
        discussion: """
            FILE is an import document (docs/import.md), or with --csv a CSV file with the columns \
            \(InventoryCSV.columns.joined(separator: ",")) (one row per host per time). Use - for standard input. \
            Importing the same file twice changes nothing the second time.
            """)

    @Argument(help: "The document (JSON), or the CSV inventory with --csv; - reads standard input.")
    var file: String

    @Flag(help: "FILE is a CSV inventory of physical servers with utilisation history.")
    var csv = false

    @Flag(name: [.customLong("print"), .customLong("dry-run")], help: "Print the document that would be sent (as JSON) and send nothing.")
    var printOnly = false

    @OptionGroup var client: ClientOptions

    func run() throws {
        let bytes = try read()
        let body: [UInt8]
        if csv {
            let document: ImportDocument
            do {
                document = try InventoryCSV.document(String(decoding: bytes, as: UTF8.self))
            } catch {
                throw CLIError(message: "\(file): \(error.description)", exitCode: 65)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = printOnly ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
            body = Array(try encoder.encode(document))
        } else {
            body = bytes
        }
        if printOnly {
            print(String(decoding: body, as: UTF8.self))
            return
        }
        let result = try client.send("POST", "/api/v1/import", json: body, as: API.ImportResult.self)
        if client.json { return try client.printJSON(result) }
        print("resources: \(result.resourcesCreated) created, \(result.resourcesUpdated) updated, \(result.resourcesUnchanged) unchanged")
        print("relations changed: \(result.relationsChanged); placements changed: \(result.placementsChanged); new series: \(result.seriesCreated)")
        var samples = "samples: \(result.samplesWritten) written, \(result.samplesAlreadyPresent) already present"
        if result.samplesConflicting > 0 { samples += ", \(result.samplesConflicting) conflicting (stored values kept)" }
        if result.samplesRejected > 0 { samples += ", \(result.samplesRejected) rejected (\(result.rejection ?? "refused"))" }
        print(samples)
    }

    private func read() throws -> [UInt8] {
        if file == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError(message: "cannot read \(file)", exitCode: 66)
        }
        return Array(data)
    }
}
