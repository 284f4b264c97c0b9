import Hummingbird
import NIOCore
import StrataWire

/// Reads a JSON request body within a size limit and decodes it strictly (`JSONBody`): 415 unless the request
/// says `Content-Type: application/json` (a cross-site form cannot), 413 above the limit, 400 naming what is
/// wrong otherwise.
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowedFields: Set<String>,
                                     nestedFields: [String: Set<String>] = [:], limit: Int, example: String) async throws -> T {
        try decode(type, from: try await body(of: request, limit: limit), allowedFields: allowedFields, nestedFields: nestedFields, example: example)
    }

    /// The JSON field names of a type whose coding keys are listed, so the fields a route allows (also in
    /// `nestedFields`) follow the type: `nestedFields: ["target": StrictJSON.fields(of: API.ControlTarget.CodingKeys.self)]`.
    static func fields<Key: CodingKey & CaseIterable>(of keys: Key.Type) -> Set<String> {
        Set(Key.allCases.map(\.stringValue))
    }

    /// The body of a JSON request, at most `limit` bytes. With `requireType: false` an empty body needs no
    /// Content-Type (a route whose body is optional); a non-empty one always does.
    static func body(of request: Request, limit: Int, requireType: Bool = true) async throws -> ByteBuffer {
        if requireType { try ContentType.requireJSON(request) }
        let buffer: ByteBuffer
        do {
            buffer = try await BodyReader.collect(request, limit: limit)
        } catch is BodyTooLarge {
            throw APIError.tooLarge("JSON body larger than \(limit) bytes")
        }
        if !requireType, buffer.readableBytes > 0 { try ContentType.requireJSON(request) }
        return buffer
    }

    /// Decodes a collected body strictly.
    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, allowedFields: Set<String>,
                                     nestedFields: [String: Set<String>] = [:], example: String) throws -> T {
        do {
            return try JSONBody.decode(T.self, from: buffer.readableBytesView, allowedFields: allowedFields, nestedFields: nestedFields,
                                       example: example)
        } catch {
            throw APIError.badData(error.description)
        }
    }
}
