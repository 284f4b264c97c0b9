import Foundation
import Testing
@testable import StrataCore

private func batchWithEvents() -> AgentBatch {
    var batch = sampleBatch()
    batch.events = [
        AgentEvent(resourceIndex: 1, kind: "log", timeMs: 1_700_000_000_123, severity: .error, source: "/var/log/nginx/error.log",
                   origin: "2049:131:0:4096", message: "2026/11/22 13:00:00 [error] 1#1: open() failed\nsecond line"),
        AgentEvent(resourceIndex: 0, kind: "log-dropped", timeMs: -5, severity: .warning, source: "/var/log/syslog",
                   origin: "dropped:/var/log/syslog:1", message: ""),
    ]
    batch.configs = [
        ConfigSnapshot(resourceIndex: 1, path: "/etc/nginx/nginx.conf", state: .present, observedMs: 1_700_000_000_000,
                       content: String(repeating: "worker_connections 64;\n", count: 5000)),
        ConfigSnapshot(resourceIndex: 1, path: "/etc/nginx/conf.d/old.conf", state: .deleted, observedMs: 1, content: ""),
    ]
    return batch
}

@Test func eventsAndConfigSnapshotsRoundTripAsVersion2() throws {
    let batch = batchWithEvents()
    let body = BatchCodec.encode(batch, compression: .none)
    #expect(body[4] == 2, "a batch with events is version 2")
    #expect(try BatchCodec.decode(body) == batch)
    #expect(try BatchCodec.decode(BatchCodec.encode(batch, compression: .zlib)) == batch)
    #expect(BatchCodec.encode(sampleBatch(), compression: .none)[4] == 1, "a batch without them stays version 1 for older servers")
}

@Test func everyTruncationOfAVersion2BatchIsRejectedWithoutTrapping() {
    var batch = batchWithEvents()
    batch.configs[0].content = "short"
    let body = BatchCodec.encode(batch, compression: .none)
    for length in 6..<body.count {
        #expect(throws: DecodeError.self) { try BatchCodec.decode(Array(body[0..<length])) }
    }
}

@Test func eventsPointingOutsideTheBatchOrWithBadFieldsAreRefused() {
    var batch = batchWithEvents()
    batch.events[0].resourceIndex = 9
    #expect(throws: DecodeError.invalidValue(field: "events[0].resource", reason: "no resource 9 in this batch")) {
        try BatchCodec.decode(BatchCodec.encode(batch))
    }
    batch = batchWithEvents()
    batch.configs[0].path = "relative/path"
    #expect(throws: DecodeError.invalidValue(field: "configs[0].path", reason: "must be absolute")) {
        try BatchCodec.decode(BatchCodec.encode(batch))
    }
    batch = batchWithEvents()
    batch.configs[0].content = String(repeating: "x", count: ConfigSnapshot.maxContentBytes + 1)
    #expect(throws: DecodeError.self) { try BatchCodec.decode(BatchCodec.encode(batch)) }
}

@Test func severitiesKnowTheirLogLevelNames() {
    #expect(EventSeverity(name: "WARN") == .warning)
    #expect(EventSeverity(name: "severe") == .error)
    #expect(EventSeverity(name: "FATAL") == .critical)
    #expect(EventSeverity(name: "notice") == .info)
    #expect(EventSeverity(name: "chatty") == nil)
    #expect(EventSeverity.allCases.map(\.name) == ["info", "warning", "error", "critical"])
}

/// Applies an edit script to its old lines.
private func apply(_ script: [UnifiedDiff.Edit]) -> (old: [String], new: [String]) {
    var old: [String] = [], new: [String] = []
    for edit in script {
        switch edit {
        case .same(let line): old.append(line); new.append(line)
        case .removed(let line): old.append(line)
        case .added(let line): new.append(line)
        }
    }
    return (old, new)
}

@Test func diffScriptsRebuildBothTextsAndAreMinimal() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<300 {
        let a = (0..<Int.random(in: 0...30, using: &generator)).map { _ in String(Int.random(in: 0...5, using: &generator)) }
        let b = (0..<Int.random(in: 0...30, using: &generator)).map { _ in String(Int.random(in: 0...5, using: &generator)) }
        let script = UnifiedDiff.edits(a, b)
        let rebuilt = apply(script)
        #expect(rebuilt.old == a && rebuilt.new == b)
        // Minimal: the number of unchanged lines is the longest common subsequence.
        var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
            }
        }
        #expect(script.filter { if case .same = $0 { true } else { false } }.count == lcs[0][0])
    }
}

@Test func unifiedDiffShowsTheEditWithContextAndHunkRanges() {
    let old = (1...20).map { "line \($0)" }.joined(separator: "\n") + "\n"
    var lines = (1...20).map { "line \($0)" }
    lines[9] = "line 10 changed"
    lines.insert("inserted", at: 15)
    let new = lines.joined(separator: "\n") + "\n"
    let diff = UnifiedDiff.diff(old: old, new: new, oldName: "a@1", newName: "a@2")
    // What GNU `diff -u` prints for the same files: changes 5 lines apart share one hunk.
    #expect(diff == """
        --- a@1
        +++ a@2
        @@ -7,12 +7,13 @@
         line 7
         line 8
         line 9
        -line 10
        +line 10 changed
         line 11
         line 12
         line 13
         line 14
         line 15
        +inserted
         line 16
         line 17
         line 18

        """)
    var far = (1...20).map { "line \($0)" }
    far[1] = "two"
    far[18] = "nineteen"
    #expect(UnifiedDiff.diff(old: old, new: far.joined(separator: "\n") + "\n", oldName: "a", newName: "b")
        .split(separator: "\n").filter { $0.hasPrefix("@@") } == ["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"])
    #expect(UnifiedDiff.diff(old: old, new: old, oldName: "a", newName: "b").isEmpty)
    #expect(UnifiedDiff.counts(old: old, new: new) == (added: 2, removed: 1))
}

@Test func severitiesAndIDsTravelAsTheirTextAndOtherTextIsRefused() throws {
    let encoded = String(decoding: try JSONEncoder().encode([EventSeverity.warning, .critical]), as: UTF8.self)
    #expect(encoded == #"["warning","critical"]"#)
    #expect(try JSONDecoder().decode([EventSeverity].self, from: Data(encoded.utf8)) == [.warning, .critical])
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([EventSeverity].self, from: Data(#"["warn"]"#.utf8)) }
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([EventSeverity].self, from: Data("[1]".utf8)) }
    let id = StableID(hex: "00000000000000ff")!
    #expect(String(decoding: try JSONEncoder().encode([id]), as: UTF8.self) == #"["00000000000000ff"]"#)
    #expect(throws: DecodingError.self) { try JSONDecoder().decode([StableID].self, from: Data(#"["xyz"]"#.utf8)) }
}
