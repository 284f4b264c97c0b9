#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Units the kernel reports /proc figures in.
enum KernelUnits {
    /// Clock ticks per second (USER_HZ) of /proc CPU times.
    static let ticksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    /// Bytes per page of /proc page counts.
    static let pageSize: Double = {
        let page = sysconf(Int32(_SC_PAGESIZE))
        return page > 0 ? Double(page) : 4096
    }()
}
