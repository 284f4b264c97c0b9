import Foundation
import StrataAPI
import Testing
@testable import StrataServer

@Suite struct DefinitionFilesTests {
    static func directory(_ files: [String: String]) throws -> String {
        let path = "/tmp/strata-tests/alert-files-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    static func scan(_ directory: String) -> DefinitionFiles.Scan {
        DefinitionFiles.scan(directory) { body, tenant throws(DefinitionError) in
            _ = try DefinitionCompiler.compile(body, tenantID: tenant, origin: "file")
        }
    }

    @Test func anInvalidFieldIsReportedWithItsFileLineAndPath() throws {
        let directory = try Self.directory(["web.yaml": """
            definitions:
              - name: ok
                scope: {kind: server}
                condition: {type: availability}
              - name: broken
                scope: {kind: server}
                condition:
                  type: threshold
                  metric: cpu
                  op: "=>"
                  threshold: 90
            """])
        let scan = Self.scan(directory)
        #expect(scan.files.isEmpty)
        let message = try #require(scan.errors.first?.message)
        #expect(message.hasPrefix(directory + "/web.yaml:10: condition.op:"), "\(message)")
    }

    @Test func brokenYAMLAMissingFieldAndADuplicateNameAreRefusedPerFileAndGoodFilesLoad() throws {
        let directory = try Self.directory([
            "a.yaml": "name: one\nscope: {kind: vm}\ncondition: {type: availability}\n",
            "b.yml": "definitions: [ {name: x\n",
            "c.yaml": "name: two\nscope: {kind: vm}\n",
            "d.yaml": "definitions:\n  - {name: same, scope: {kind: vm}, condition: {type: availability}}\n  - {name: same, scope: {kind: vm}, condition: {type: availability}}\n",
            "e.yaml": "tenant: acme\nname: three\nscope: {unknown: 1}\ncondition: {type: availability}\n",
            "ignored.txt": "not a definition",
        ])
        let scan = Self.scan(directory)
        #expect(scan.files.map(\.definitions.count) == [1])
        #expect(scan.files.first?.definitions.first?.name == "one")
        let errors = Dictionary(uniqueKeysWithValues: scan.errors.map { (($0.path as NSString).lastPathComponent, $0.message) })
        #expect(errors["b.yml"]?.contains("not valid YAML") == true)
        #expect(errors["c.yaml"]?.contains("missing field \"condition\"") == true, "\(errors["c.yaml"] ?? "")")
        #expect(errors["d.yaml"]?.contains(":3: name: \"same\" is defined twice") == true, "\(errors["d.yaml"] ?? "")")
        #expect(errors["e.yaml"]?.contains(":3: scope.unknown: unknown field") == true, "\(errors["e.yaml"] ?? "")")
    }

    @Test func aMisspeltFieldDeepInAFileIsRefusedWithItsLine() throws {
        let directory = try Self.directory([
            "web.yaml": """
                tenant: default
                definitions:
                  - name: crowded
                    scope: {serverType: nginx}
                    condition:
                      type: composite
                      conditions:
                        - {type: threshold, metric: conns, op: ">", threshold: 100}
                        - type: availability
                          onn: host
                """,
            "top.yaml": "definition:\n  - {name: x, scope: {kind: vm}, condition: {type: availability}}\ndefinitions: []\n",
        ])
        let scan = Self.scan(directory)
        let errors = Dictionary(uniqueKeysWithValues: scan.errors.map { (($0.path as NSString).lastPathComponent, $0.message) })
        #expect(errors["web.yaml"]?.contains("web.yaml:10: condition.conditions[1].onn: unknown field") == true, "\(errors["web.yaml"] ?? "")")
        #expect(errors["top.yaml"]?.contains("top.yaml:2: definition: unknown field") == true, "\(errors["top.yaml"] ?? "")")
    }
}
