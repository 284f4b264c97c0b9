#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CStrataSpawn

/// The user a child runs as: its uid, gid and supplementary groups, set in the child before exec.
struct RunAs: Sendable, Equatable {
    var uid: UInt32
    var gid: UInt32
    var groups: [UInt32]

    /// User `uid` with primary group `gid` and the supplementary groups `/etc/group` gives its name.
    static func user(uid: UInt32, gid: UInt32) -> RunAs {
        var groups: [UInt32] = [gid]
        var entry = passwd()
        var buffer = [CChar](repeating: 0, count: 16 << 10)
        var found: UnsafeMutablePointer<passwd>?
        if getpwuid_r(uid, &entry, &buffer, buffer.count, &found) == 0, let found, let name = found.pointee.pw_name {
            var count: Int32 = 64
            var list = [gid_t](repeating: 0, count: Int(count))
            if getgrouplist(name, gid, &list, &count) >= 0 { groups = Array(list.prefix(Int(max(0, count)))) }
        }
        return RunAs(uid: uid, gid: gid, groups: groups)
    }

    /// The user to run a server's programs as from an agent running as `agentUID`: nil when it is the agent's own
    /// (nothing to change), else that user; throws when the agent is not root and so cannot change users.
    static func forServer(uid: UInt32, gid: UInt32, agentUID: UInt32 = geteuid()) throws(CommandRefusal) -> RunAs? {
        if uid == agentUID { return nil }
        guard agentUID == 0 else {
            throw CommandRefusal("the server runs as uid \(uid) and the agent as uid \(agentUID): only an agent running as root can act as another user")
        }
        return user(uid: uid, gid: gid)
    }
}

/// How a detached start went.
struct LaunchOutcome: Sendable, Equatable {
    /// The started program's pid.
    var pid: Int32
    /// Its wait status when it ended within the grace period (a launcher that daemonizes, or a failure).
    var endedStatus: Int32?
}

extension ChildProcess {
    /// Starts the program detached — in a session of its own, never the agent's child, stdout and stderr appended to
    /// `logPath` (/dev/null when nil) — and watches it for `graceMs`.
    func launch(logPath: String?, graceMs: Int32 = 1500) throws(StartError) -> LaunchOutcome {
        let log = open(logPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard log >= 0 else { throw StartError(description: "cannot open \(logPath ?? "/dev/null"): \(String(cString: strerror(errno)))") }
        defer { close(log) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        let result = try spawnAs(argv, envp, out: log, err: log, detachGraceMs: graceMs)
        return LaunchOutcome(pid: result.pid, endedStatus: result.exited != 0 ? result.status : nil)
    }

    /// Forks and executes through the C shim, as `user` from `workingDirectory`, retrying while the executable is
    /// busy (ETXTBSY, see `run`).
    func spawnAs(_ argv: [UnsafeMutablePointer<CChar>?], _ envp: [UnsafeMutablePointer<CChar>?], out: Int32, err: Int32,
                 detachGraceMs: Int32) throws(StartError) -> strata_spawn_result {
        let groups: [gid_t] = user?.groups ?? []
        var result = strata_spawn_result()
        for attempt in 0..<10 {
            let failed = groups.withUnsafeBufferPointer { groupPointer in
                strata_spawn(path, argv, envp, workingDirectory, user == nil ? 0 : 1, user?.uid ?? 0, user?.gid ?? 0, groupPointer.baseAddress,
                             Int32(groupPointer.count), out, err, detachGraceMs, &result)
            }
            guard failed == 0 else { throw StartError(description: "cannot start \(path): \(String(cString: strerror(failed)))") }
            if result.child_errno == ETXTBSY && attempt < 9 { usleep(20_000); continue }
            break
        }
        guard result.child_errno == 0 else {
            let step = withUnsafeBytes(of: result.failed_step) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let user = user.map { " as uid \($0.uid)" } ?? ""
            throw StartError(description: "cannot start \(path)\(user): \(step) failed: \(String(cString: strerror(result.child_errno)))")
        }
        return result
    }
}
