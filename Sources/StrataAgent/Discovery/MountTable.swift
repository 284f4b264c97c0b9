#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One mounted filesystem from /proc/mounts.
struct Mount: Sendable, Equatable {
    var device: String
    var mountpoint: String
    var fstype: String

    /// Size and free space from statvfs, read through the host root.
    func usage(fs: HostFS) -> (sizeBytes: Int64, freeBytes: Int64, availBytes: Int64, files: Int64, filesFree: Int64)? {
        var stats = statvfs()
        guard statvfs(fs.resolve(mountpoint), &stats) == 0 else { return nil }
        let fragment = Int64(stats.f_frsize)
        return (Int64(stats.f_blocks) * fragment, Int64(stats.f_bfree) * fragment, Int64(stats.f_bavail) * fragment,
                Int64(stats.f_files), Int64(stats.f_ffree))
    }
}

/// The host's mount table, filtered to filesystems that hold data.
struct MountTable: Sendable {
    let fs: HostFS

    /// Pseudo and virtual filesystems that say nothing about storage.
    static let pseudoTypes: Set<String> = [
        "proc", "sysfs", "cgroup", "cgroup2", "devpts", "devtmpfs", "securityfs", "debugfs", "tracefs",
        "pstore", "bpf", "mqueue", "hugetlbfs", "configfs", "fusectl", "autofs", "binfmt_misc", "rpc_pipefs",
        "nsfs", "efivarfs", "selinuxfs", "ramfs", "squashfs", "fuse.lxcfs", "fuse.gvfsd-fuse", "overlayfs-ro",
    ]

    /// Real filesystems, one entry per mountpoint (the last mount on a path wins).
    func realFilesystems() -> [Mount] {
        let text = fs.read("/proc/mounts") ?? fs.read("/proc/self/mounts") ?? ""
        var byPath: [String: Mount] = [:]
        var order: [String] = []
        for line in text.split(separator: "\n") {
            let parts = line.fields
            guard parts.count >= 3 else { continue }
            let fstype = String(parts[2])
            guard !Self.pseudoTypes.contains(fstype) else { continue }
            let mountpoint = Self.unescape(String(parts[1]))
            if fstype == "tmpfs" && mountpoint != "/" && !mountpoint.hasPrefix("/tmp") { continue }
            if mountpoint.hasPrefix("/proc") || mountpoint.hasPrefix("/sys") || mountpoint.hasPrefix("/dev/") { continue }
            if byPath[mountpoint] == nil { order.append(mountpoint) }
            byPath[mountpoint] = Mount(device: Self.unescape(String(parts[0])), mountpoint: mountpoint, fstype: fstype)
        }
        return order.compactMap { byPath[$0] }
    }

    /// /proc/mounts escapes space, tab, newline and backslash as octal.
    static func unescape(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x5c, index + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(index + 1)...(index + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
