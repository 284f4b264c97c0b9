import Foundation

/// Strict decoding of JSON request bodies: an object at the top, no unknown fields, and a reason that
/// names what is wrong. Free of any HTTP framework so it can be fuzzed on its own.
public enum JSONBody {
    /// Why a body was refused.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// What is wrong, for the client.
        public var description: String
    }

    /// Decodes `bytes` as `T`, refusing anything but a JSON object with only `allowedFields`, no name twice in any object
    /// (`JSONDuplicateKeys`); an object under a field named in `nestedFields` (or each object of an array there) may hold
    /// only the fields listed for it.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, allowedFields: Set<String>,
                                            nestedFields: [String: Set<String>] = [:], example: String) throws(Invalid) -> T {
        let data = Data(bytes)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(description: "expected a JSON object such as \(example)")
        }
        if let repeated = JSONDuplicateKeys.first(in: Array(data)) {
            throw Invalid(description: "duplicate field \"\(repeated)\"; give each field once")
        }
        let unknown = Set(object.keys).subtracting(allowedFields)
        guard unknown.isEmpty else {
            throw Invalid(description: "unknown field(s) \(unknown.sorted().joined(separator: ", ")); allowed: \(allowedFields.sorted().joined(separator: ", "))")
        }
        for (field, allowed) in nestedFields.sorted(by: { $0.key < $1.key }) {
            let objects: [(path: String, object: [String: Any])]
            switch object[field] {
            case let single as [String: Any]: objects = [(field, single)]
            case let list as [Any]: objects = list.enumerated().compactMap { index, item in (item as? [String: Any]).map { ("\(field)[\(index)]", $0) } }
            default: objects = []
            }
            for (path, nested) in objects {
                let unknown = Set(nested.keys).subtracting(allowed)
                guard unknown.isEmpty else {
                    throw Invalid(description: "unknown field(s) \(unknown.sorted().map { "\(path).\($0)" }.joined(separator: ", ")); "
                                  + "allowed in \(field): \(allowed.sorted().joined(separator: ", "))")
                }
            }
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw Invalid(description: "\(error.shortDescription); expected \(example)")
        } catch {
            throw Invalid(description: "invalid body; expected \(example)")
        }
    }
}

extension DecodingError {
    /// A one-line reason without Swift type names.
    var shortDescription: String {
        switch self {
        case .keyNotFound(let key, _): return "missing field \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type for \"\(context.codingPath.map(\.stringValue).joined(separator: "."))\""
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "invalid body"
        }
    }
}
