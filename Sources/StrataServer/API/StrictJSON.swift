import Hummingbird
import NIOCore
import StrataWire

/// Reads a JSON request body within a size limit and decodes it strictly (`JSONBody`): 415 unless the request
/// says `Content-Type: application/json` (a cross-site form cannot), 413 above the limit, 400 naming what is
/// wrong otherwise.
enum StrictJSON {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, allowedFields: Set<String>,
                                     nestedFields: [String: Set<String>] = [:], limit: Int, example: String) async throws -> T {
        try ContentType.requireJSON(request)
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.tooLarge("JSON body larger than \(limit) bytes")
        }
        do {
            return try JSONBody.decode(T.self, from: buffer.readableBytesView, allowedFields: allowedFields, nestedFields: nestedFields,
                                       example: example)
        } catch {
            throw APIError.badData(error.description)
        }
    }
}
