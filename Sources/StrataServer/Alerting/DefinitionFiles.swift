import Foundation
import StrataAPI
import Yams

/// Alert definitions kept as YAML files in `DATA/alerts/*.yaml` (or `.yml`): each file holds one definition, or a
/// list under `definitions:`, optionally with `tenant:` (default `default`). Read at start and on SIGHUP; a file
/// that does not parse or validate is reported with its path, line and field, and the definitions it held before
/// stay in force.
enum DefinitionFiles {
    /// One file's content.
    struct Parsed: Sendable {
        var path: String
        var tenantID: String
        var definitions: [API.AlertDefinition]
    }

    /// What reading the directory found.
    struct Scan: Sendable {
        var files: [Parsed]
        /// Messages naming file, line and field.
        var errors: [(path: String, message: String)]
    }

    struct Document: Decodable {
        var tenant: String?
        var definitions: [API.AlertDefinition]?
    }

    /// Reads every definition file in `directory` (missing directory: none).
    static func scan(_ directory: String, validate: (API.AlertDefinition, String) throws(DefinitionError) -> Void) -> Scan {
        var scan = Scan(files: [], errors: [])
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for name in names {
            let path = directory + "/" + name
            do {
                scan.files.append(try parse(path: path, validate: validate))
            } catch {
                scan.errors.append((path, error.description))
            }
        }
        return scan
    }

    struct FileError: Error, CustomStringConvertible {
        var description: String
    }

    static func parse(path: String, validate: (API.AlertDefinition, String) throws(DefinitionError) -> Void) throws(FileError) -> Parsed {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20 else {
            throw FileError(description: "\(path): cannot be read, or larger than 4 MiB")
        }
        let text = String(decoding: data, as: UTF8.self)
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw FileError(description: "\(path): not valid YAML: \(error)")
        }
        guard let node, node.mapping != nil else { throw FileError(description: "\(path): expected a mapping (one definition, or definitions: […])") }
        let listed = node.mapping?["definitions"] != nil
        let tenant = node.mapping?["tenant"]?.string ?? "default"
        var definitions: [API.AlertDefinition] = []
        do {
            if listed {
                definitions = try YAMLDecoder().decode(Document.self, from: node).definitions ?? []
            } else {
                definitions = [try YAMLDecoder().decode(API.AlertDefinition.self, from: node)]
            }
        } catch let error as DecodingError {
            let (keys, reason) = describe(error)
            throw FileError(description: "\(path):\(line(of: keys, in: node)): \(keys.isEmpty ? "" : keys.joined(separator: ".") + ": ")\(reason)")
        } catch {
            throw FileError(description: "\(path): \(error)")
        }
        let tree = try? Yams.load(yaml: text)
        let unknownTop = Set(((tree as? [String: Any]) ?? [:]).keys).subtracting(["tenant", "definitions"])
        if listed, let field = unknownTop.sorted().first {
            throw FileError(description: "\(path):\(line(of: [field], in: node)): \(field): unknown field; a file with definitions takes tenant and definitions")
        }
        var names = Set<String>()
        for (index, definition) in definitions.enumerated() {
            let prefix = listed ? ["definitions", "\(index)"] : []
            do throws(DefinitionError) {
                var object = listed ? (((tree as? [String: Any])?["definitions"] as? [Any])?[index] as Any?) : tree
                if !listed, var mapping = object as? [String: Any] {
                    mapping["tenant"] = nil
                    object = mapping
                }
                if let object { try DefinitionFields.check(object) }
            } catch {
                let keys = prefix + error.field.split(separator: ".").map(String.init)
                throw FileError(description: "\(path):\(line(of: keys, in: node)): \(error.field): \(error.message)")
            }
            guard names.insert(definition.name).inserted else {
                throw FileError(description: "\(path):\(line(of: prefix + ["name"], in: node)): name: \"\(definition.name)\" is defined twice")
            }
            do throws(DefinitionError) {
                try validate(definition, tenant)
            } catch {
                let keys = prefix + error.field.split(separator: ".").map(String.init)
                throw FileError(description: "\(path):\(line(of: keys, in: node)): \(error.field): \(error.message)")
            }
        }
        return Parsed(path: path, tenantID: tenant, definitions: definitions)
    }

    /// The 1-based line of the deepest node along `keys` (`notify[0]` and list indices included).
    static func line(of keys: [String], in root: Node) -> Int {
        var node = root
        var line = root.mark?.line ?? 1
        for key in keys.flatMap(split) {
            if let index = Int(key), let sequence = node.sequence, index < sequence.count {
                node = sequence[index]
            } else if let child = node.mapping?[key] {
                node = child
            } else {
                break
            }
            line = node.mark?.line ?? line
        }
        return line
    }

    /// `notify[0]` → `notify`, `0`.
    static func split(_ key: String) -> [String] {
        guard let open = key.firstIndex(of: "["), key.hasSuffix("]") else { return [key] }
        return [String(key[..<open]), String(key[key.index(after: open)..<key.index(before: key.endIndex)])]
    }

    static func describe(_ error: DecodingError) -> ([String], String) {
        func keys(_ path: [any CodingKey]) -> [String] {
            path.map { $0.intValue.map(String.init) ?? ($0.stringValue == "forDuration" ? "for" : $0.stringValue) }
        }
        switch error {
        case .keyNotFound(let key, let context): return (keys(context.codingPath), "missing field \"\(key.stringValue)\"")
        case .typeMismatch(_, let context): return (keys(context.codingPath), context.debugDescription)
        case .valueNotFound(_, let context): return (keys(context.codingPath), context.debugDescription)
        case .dataCorrupted(let context): return (keys(context.codingPath), context.debugDescription)
        @unknown default: return ([], "\(error)")
        }
    }
}
