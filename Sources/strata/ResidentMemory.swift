import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Keeps the server's resident set small after start-up.
enum ResidentMemory {
    /// Unmaps the executable's code pages (the `r-xp` mappings of the binary itself) once the server listens.
    /// Start-up (Foundation, argument parsing, YAML, SQLite migrations, TLS) touches about 24 of the 47 MiB of that
    /// segment, and those pages would otherwise stay in the resident set for the life of the process: 9–10 MiB less
    /// peak RSS in the 10k-series remote-write benchmark (docs/performance.md). Pages still in use fault back in
    /// from the page cache. Executable pages are never written, so nothing is lost; writable and RELRO mappings
    /// and the shared libraries are left alone.
    static func releaseStartupCode() {
        #if os(Linux)
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp", fields[5...].joined(separator: " ") == exe else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  end > start, let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            _ = madvise(address, Int(end - start), MADV_DONTNEED)
        }
        #endif
    }
}
