#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CStrataSpawn

/// One program run without a shell: an argument array through `posix_spawn`, a fixed environment, stdin on
/// /dev/null, stdout and stderr captured up to a bound (the rest read and dropped, so the program never blocks on a
/// full pipe), in a process group of its own that is killed (SIGKILL) when it outlives its timeout.
struct ChildProcess: Sendable {
    /// How a run ended.
    struct Outcome: Sendable, Equatable {
        /// The exit status, nil when a signal ended it (or it was killed on timeout).
        var exitStatus: Int32?
        /// The signal that ended it, if one did.
        var signal: Int32?
        /// Whether it was killed for running longer than the timeout.
        var timedOut: Bool
        /// The first `maxOutputBytes` of its standard output and error.
        var stdout: [UInt8]
        var stderr: [UInt8]
        /// How long it ran, in milliseconds.
        var durationMs: Int64
    }

    /// Why it could not start.
    struct StartError: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The program's path (run as is: no PATH search).
    var path: String
    /// `argv[1...]`; `argv[0]` is the path.
    var arguments: [String]
    /// `NAME=value` entries: the whole environment (the agent's own, with its token, is never passed on).
    var environment: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"]
    /// Longest run before it is killed, in milliseconds.
    var timeoutMs: Int64 = 60_000
    /// The most of each output kept.
    var maxOutputBytes = 64 << 10
    /// The user to run it as (`RunAs`); nil keeps the agent's.
    var user: RunAs? = nil
    /// Its working directory; nil keeps the agent's.
    var workingDirectory: String? = nil

    /// Runs the program to its end (or its timeout).
    func run() throws(StartError) -> Outcome {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0 else { throw StartError(description: "pipe: \(String(cString: strerror(errno)))") }
        guard pipe(&errPipe) == 0 else {
            close(outPipe[0]); close(outPipe[1])
            throw StartError(description: "pipe: \(String(cString: strerror(errno)))")
        }
        // No end leaks into other children; the program gets the write ends as its stdout and stderr through dup2.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        defer { close(outPipe[0]); close(errPipe[0]) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A clean signal state (the agent blocks SIGTERM and SIGINT for its loop) and a group of its own to kill.
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        let startMs = Clock.monotonicMs()
        var pid: pid_t = 0
        var spawned: Int32 = 0
        if user != nil || workingDirectory != nil {
            // posix_spawn cannot change the user: fork and exec through the C shim.
            do {
                pid = try spawnAs(argv, envp, out: outPipe[1], err: errPipe[1], detachGraceMs: -1).pid
            } catch {
                close(outPipe[1])
                close(errPipe[1])
                throw error
            }
        } else {
            spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            // ETXTBSY: another thread's child, between its fork and exec, still holds a descriptor that wrote the file
            // (it was just installed); that passes within milliseconds.
            for _ in 0..<10 where spawned == ETXTBSY {
                usleep(20_000)
                spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        guard spawned == 0 else { throw StartError(description: "cannot start \(path): \(String(cString: strerror(spawned)))") }

        var outputs: [[UInt8]] = [[], []]
        var open = [outPipe[0], errPipe[0]]
        var status: Int32 = 0
        var exited = false
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        var deadline = startMs + timeoutMs
        // Until the program exited and both pipes closed; a process it left running may hold them: read for a second
        // more, then leave it be (a script may start a service).
        while true {
            if !exited, waitpid(pid, &status, WNOHANG) == pid {
                exited = true
                deadline = min(deadline, Clock.monotonicMs() + 1000)
            }
            if exited && !open.contains(where: { $0 >= 0 }) { break }
            let left = deadline - Clock.monotonicMs()
            if left <= 0 { timedOut = !exited; break }
            var descriptors = open.filter { $0 >= 0 }.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if descriptors.isEmpty {
                usleep(UInt32(min(left, 20)) * 1000)
                continue
            }
            _ = poll(&descriptors, nfds_t(descriptors.count), Int32(min(left, 100)))
            for descriptor in descriptors where descriptor.revents != 0 {
                guard let index = open.firstIndex(of: descriptor.fd) else { continue }
                let count = buffer.withUnsafeMutableBytes { read(descriptor.fd, $0.baseAddress, $0.count) }
                if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if count <= 0 { open[index] = -1; continue }
                let room = max(0, maxOutputBytes - outputs[index].count)
                outputs[index] += buffer[0..<min(count, room)]
            }
        }
        if !exited {
            kill(-pid, SIGKILL)
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let signalled = status & 0x7f != 0
        return Outcome(exitStatus: signalled ? nil : (status >> 8) & 0xff, signal: signalled ? status & 0x7f : nil, timedOut: timedOut,
                       stdout: outputs[0], stderr: outputs[1], durationMs: Clock.monotonicMs() - startMs)
    }
}
