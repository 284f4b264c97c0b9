import Foundation
import Testing
@testable import StrataRules

/// Strata's verdict on every rule file of the corpus agrees with `promtool check rules` (Prometheus 2.42, run here):
/// `valid/` files pass both, `invalid/` files fail both, `stricter/` files pass promtool but are refused by Strata on
/// purpose (Prometheus accepts them and then fails them at every evaluation, or Strata does not render the template).
@Suite struct RuleFileCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus").path

    static func files(_ folder: String) -> [String] {
        let directory = corpus + "/" + folder
        return ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted().map { directory + "/" + $0 }
    }

    /// Whether promtool accepts the file: exit status 0 and no `FAILED` (2.42's duplicate-rule lint fails without a status).
    static func promtoolAccepts(_ path: String) throws -> (Bool, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "rules", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus == 0 && !output.contains("FAILED"), output)
    }

    static func strataAccepts(_ path: String) -> (Bool, String) {
        switch RuleFileParser.read(path: path) {
        case .success: return (true, "")
        case .failure(let errors): return (false, errors.description)
        }
    }

    @Test func theCorpusHasFilesOfEveryKind() {
        #expect(Self.files("valid").count >= 8)
        #expect(Self.files("invalid").count >= 20)
        #expect(Self.files("stricter").count >= 4)
    }

    @Test(arguments: files("valid") + files("invalid"))
    func strataAndPromtoolGiveTheSameVerdict(_ path: String) throws {
        let (promtool, promtoolSays) = try Self.promtoolAccepts(path)
        let (strata, strataSays) = Self.strataAccepts(path)
        #expect(strata == promtool, "\(path): promtool \(promtool ? "accepts" : "refuses") (\(promtoolSays)), Strata \(strata ? "accepts" : "refuses") (\(strataSays))")
        #expect(strata == path.contains("/valid/"), "\(path) is filed under the wrong verdict")
    }

    @Test(arguments: files("stricter"))
    func strataIsStricterOnlyWherePrometheusWouldFailAtEvaluation(_ path: String) throws {
        let (promtool, _) = try Self.promtoolAccepts(path)
        let (strata, strataSays) = Self.strataAccepts(path)
        #expect(promtool)
        #expect(!strata)
        #expect(strataSays.contains(path) && strataSays.contains("group \"g\", rule 1"), "\(strataSays)")
    }
}
