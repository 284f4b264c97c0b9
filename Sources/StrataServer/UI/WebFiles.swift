import Foundation

/// The web UI's files (`web/` in the source tree): where they are and how one is read.
///
/// A request names a file by a relative path of plain components (letters, digits, `_ - .`, no leading dot); anything
/// else is not a file of the UI, so no request can read outside the directory. Only known extensions are served, each
/// with its content type.
struct WebFiles: Sendable {
    /// The directory, or nil when none was found (the server then answers `/` with how to configure it).
    let directory: String?

    /// Largest file served, in bytes.
    static let maxFileBytes = 8 << 20

    /// Content types by extension.
    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json", "txt": "text/plain; charset=utf-8",
        "woff2": "font/woff2",
    ]

    /// The configured directory, else `../share/strata/web` beside the running binary, else `web/` of the source tree
    /// this file was built from; the first that holds an `index.html`.
    static func locate(configured: String?, executable: String = CommandLine.arguments.first ?? "") -> WebFiles {
        if let configured { return WebFiles(directory: configured) }
        let binary = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        let candidates = [binary.appendingPathComponent("../share/strata/web").standardized.path,
                          URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../web").standardized.path]
        return WebFiles(directory: candidates.first { FileManager.default.fileExists(atPath: $0 + "/index.html") })
    }

    /// A file's bytes with its content type and a validator, or nil when `path` is not a file of the UI.
    func read(_ path: String) -> (bytes: [UInt8], contentType: String, etag: String)? {
        guard let directory, let type = Self.contentType(of: path) else { return nil }
        let full = directory + "/" + path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let size = attributes[.size] as? Int, size <= Self.maxFileBytes,
              let data = FileManager.default.contents(atPath: full) else { return nil }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return ([UInt8](data), type, "\"\(size)-\(Int64(modified * 1000))\"")
    }

    /// The content type of a servable relative path, or nil.
    static func contentType(of path: String) -> String? {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !components.isEmpty, components.count <= 8,
              components.allSatisfy({ !$0.isEmpty && $0.count <= 100 && !$0.hasPrefix(".") && $0.allSatisfy(allowed.contains) }),
              let name = components.last, let dot = name.lastIndex(of: ".") else { return nil }
        return contentTypes[String(name[name.index(after: dot)...]).lowercased()]
    }
}
