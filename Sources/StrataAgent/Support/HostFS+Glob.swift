#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension HostFS {
    /// The paths matching a shell pattern such as `/etc/apache2/sites-enabled/*.conf`, sorted; wildcards
    /// may appear in any component. A pattern without wildcards yields itself when it exists.
    func glob(_ pattern: String) -> [String] {
        let components = pattern.split(separator: "/").map(String.init)
        var paths = [""]
        for component in components {
            let wild = component.contains { $0 == "*" || $0 == "?" || $0 == "[" }
            var next: [String] = []
            for path in paths {
                if wild {
                    for name in list(path.isEmpty ? "/" : path).sorted() where !name.hasPrefix(".") && fnmatch(component, name, 0) == 0 {
                        next.append(path + "/" + name)
                    }
                } else {
                    next.append(path + "/" + component)
                }
            }
            paths = next
        }
        return paths.filter(exists)
    }

    /// The environment of process `pid` (`/proc/PID/environ`), e.g. for the `${APACHE_LOG_DIR}` of its configuration.
    func environment(of pid: Int32) -> [String: String] {
        var result: [String: String] = [:]
        for entry in (readBytes("/proc/\(pid)/environ", limit: 256 << 10) ?? []).split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            guard let equals = text.firstIndex(of: "=") else { continue }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }
}
