import Foundation
import Testing
@testable import StrataAgent

/// The agent drops its binary's code pages from the resident set after start-up and each refresh; code it runs
/// afterwards faults back from the page cache.
@Suite struct ResidentCodeTests {
    /// This process's `RssFile` in kB.
    static func residentFileKB() -> Int? {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("RssFile:") }?.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    @Test func theBinarysCodeLeavesTheResidentSetAndStillRuns() throws {
        let before = try #require(Self.residentFileKB())
        let released = ResidentCode.releaseExecutablePages()
        let after = try #require(Self.residentFileKB())
        #expect(released > 0, "the test binary has executable mappings of its own")
        #expect(after < before, "RssFile \(before) kB → \(after) kB")
        // Code of the binary runs again after its pages were dropped.
        #expect(ProcessControl(fs: HostFS()).startTicks(getpid()) != nil)
    }
}
