#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// IPv4 and IPv6 addresses per interface from getifaddrs (live host only).
enum InterfaceAddresses {
    /// Interface name → addresses in `address/prefix` form.
    static func current() -> [String: [String]] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [:] }
        defer { freeifaddrs(head) }
        var result: [String: [String]] = [:]
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, let namePointer = entry.pointee.ifa_name else { continue }
            let family = Int32(address.pointee.sa_family)
            guard family == AF_INET || family == AF_INET6 else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let length = family == AF_INET ? socklen_t(MemoryLayout<sockaddr_in>.size) : socklen_t(MemoryLayout<sockaddr_in6>.size)
            guard getnameinfo(address, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: host.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let prefix = entry.pointee.ifa_netmask.map { prefixLength($0, family: family) } ?? 0
            result[String(cString: namePointer), default: []].append("\(text)/\(prefix)")
        }
        return result
    }

    private static func prefixLength(_ mask: UnsafeMutablePointer<sockaddr>, family: Int32) -> Int {
        var bits = 0
        if family == AF_INET {
            mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { bits = $0.pointee.sin_addr.s_addr.nonzeroBitCount }
        } else {
            mask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                withUnsafeBytes(of: $0.pointee.sin6_addr) { raw in bits = raw.reduce(0) { $0 + $1.nonzeroBitCount } }
            }
        }
        return bits
    }
}
