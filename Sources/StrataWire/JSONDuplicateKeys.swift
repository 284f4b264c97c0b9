import StrataCore

/// Finds a name given twice in one JSON object. JSON leaves the meaning of a repeated name open (RFC 8259 §4): one
/// reader keeps the first, another the last, so a body that says `"role"` twice may pass a check on one copy and act
/// on the other. Names are compared as Swift compares strings (after escapes are read), as `JSONDecoder` keys are.
///
/// A single pass over bytes already known to be valid JSON (`JSONBody` parses them first); it keeps one set of names
/// per open object, so it costs linear time and memory in the body's size.
enum JSONDuplicateKeys {
    /// The path of the first repeated name (`target.kind`, `items[2].name`), or nil when every object's names differ.
    static func first(in bytes: [UInt8]) -> String? {
        var scanner = Scanner(bytes: bytes)
        return scanner.run()
    }

    /// One open object or array: the names seen so far and where the scan stands in it.
    private struct Level {
        var isObject: Bool
        var names: Set<String> = []
        /// In an object: whether the next string is a name. In an array: unused.
        var expectingName: Bool
        /// The name of the value being read (objects) or its index (arrays), for the path.
        var current: String?
        var index = 0
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var levels: [Level] = []

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        mutating func run() -> String? {
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "{"): levels.append(Level(isObject: true, expectingName: true))
                case UInt8(ascii: "["): levels.append(Level(isObject: false, expectingName: false))
                case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = levels.popLast()
                case UInt8(ascii: ","):
                    guard !levels.isEmpty else { continue }
                    if levels[levels.count - 1].isObject {
                        levels[levels.count - 1].expectingName = true
                    } else {
                        levels[levels.count - 1].index += 1
                    }
                case UInt8(ascii: "\""):
                    position -= 1
                    // Valid JSON (checked before): a string always ends; should it not, the scan ends with it.
                    guard let text = try? JSONStringLiteral.read(bytes, at: &position) else { return nil }
                    guard let top = levels.last, top.isObject, top.expectingName else { continue }
                    levels[levels.count - 1].expectingName = false
                    levels[levels.count - 1].current = text
                    guard levels[levels.count - 1].names.insert(text).inserted else { return path(ending: text) }
                default: continue
                }
            }
            return nil
        }

        /// The names and indexes leading to `name` in the innermost object.
        func path(ending name: String) -> String {
            var path = ""
            for level in levels.dropLast() {
                if level.isObject {
                    path += (path.isEmpty ? "" : ".") + (level.current ?? "")
                } else {
                    path += "[\(level.index)]"
                }
            }
            return path.isEmpty ? name : path + "." + name
        }
    }
}
