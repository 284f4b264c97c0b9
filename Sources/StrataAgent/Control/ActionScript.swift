#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A script of the agent's actions directory (`DATA/actions`), the only programs `run-script` runs. The directory
/// and the script must be owned by the agent's user or root and writable by nobody else, so no other user can put a
/// program there; the script must be a regular file (not a symbolic link) and executable. It runs with an
/// argument array, never through a shell.
enum ActionScript {
    /// The script `name` of `directory`, ready to run with `args` split on spaces (each word one argument, passed
    /// as is: quotes, `;` and `$(…)` mean nothing), or why it may not run.
    static func prepare(directory: String, name: String, args: String?, timeoutMs: Int64) -> Result<ChildProcess, CommandRefusal> {
        // `name` was checked (letters, digits, '.', '_', '-'; not starting with '.' or '-'): it cannot leave the directory.
        if let refusal = refusal(directory, isDirectory: true) { return .failure(refusal) }
        let path = directory + "/" + name
        if let refusal = refusal(path, isDirectory: false) { return .failure(refusal) }
        let arguments = (args ?? "").split(separator: " ").map(String.init)
        return .success(ChildProcess(path: path, arguments: arguments, timeoutMs: timeoutMs))
    }

    /// Why `path` may not serve (nil when it may).
    static func refusal(_ path: String, isDirectory: Bool) -> CommandRefusal? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return CommandRefusal("\(path): \(String(cString: strerror(errno)))\(isDirectory ? "; create it (mode 0700) and put the scripts the agent may run there" : "")")
        }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { return CommandRefusal("\(path) is a symbolic link; the agent runs only regular files of its actions directory") }
        if isDirectory && type != S_IFDIR { return CommandRefusal("\(path) is not a directory") }
        if !isDirectory && type != S_IFREG { return CommandRefusal("\(path) is not a regular file") }
        if info.st_uid != 0 && info.st_uid != getuid() {
            return CommandRefusal("\(path) is owned by uid \(info.st_uid), neither root nor the agent's user; chown it")
        }
        if info.st_mode & 0o022 != 0 { return CommandRefusal("\(path) is writable by group or others; chmod go-w it") }
        if !isDirectory && info.st_mode & 0o111 == 0 { return CommandRefusal("\(path) is not executable; chmod u+x it") }
        return nil
    }
}
