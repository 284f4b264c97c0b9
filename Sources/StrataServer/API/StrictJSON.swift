import Foundation
import Hummingbird
import NIOCore

/// Decodes JSON request bodies strictly: a size limit, an object at the top, no unknown fields, and a
/// 400 that names what is wrong.
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowedFields: Set<String>,
                                     limit: Int, example: String) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge("JSON body larger than \(limit) bytes")
        }
        let data = Data(buffer: buffer)
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badData("expected a JSON object such as \(example)")
        }
        let unknown = Set(object.keys).subtracting(allowedFields)
        guard unknown.isEmpty else {
            throw APIError.badData("unknown field(s) \(unknown.sorted().joined(separator: ", ")); allowed: \(allowedFields.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw APIError.badData("\(error.shortDescription); expected \(example)")
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
