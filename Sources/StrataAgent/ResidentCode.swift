#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keeps the agent's resident set to the code it runs between collections. Start-up (argument parsing, enrollment,
/// TLS) and each discovery refresh touch code that the steady collection loop never runs again, and the kernel keeps
/// those pages of the binary mapped for the life of the process. Dropping the binary's own executable mappings
/// (`r-xp`, never written) after start-up and after each refresh lets the loop fault back only what it uses, from
/// the page cache; writable, RELRO and shared-library mappings are left alone (docs/agent.md "Footprint").
enum ResidentCode {
    /// Drops the pages of the agent binary's executable mappings from the resident set; the bytes released.
    @discardableResult
    static func releaseExecutablePages() -> Int {
        let fs = HostFS(root: "")
        guard let exe = fs.readLink("/proc/self/exe"), let maps = fs.read("/proc/self/maps", limit: 1 << 20) else { return 0 }
        var released = 0
        for line in maps.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "r-xp", fields[5...].joined(separator: " ") == exe else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start) else { continue }
            if madvise(address, Int(end - start), MADV_DONTNEED) == 0 { released += Int(end - start) }
        }
        return released
    }
}
