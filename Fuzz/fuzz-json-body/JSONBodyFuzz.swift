import StrataWire

/// The shape of the token request, a typical strict body.
struct TokenRequest: Decodable {
    var name: String
    var kind: String?
    var expiresInDays: Int?
    var scopes: [String]?
}

/// libFuzzer entry: strict JSON decoding of request bodies must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONBody(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = try? JSONBody.decode(TokenRequest.self, from: bytes, allowedFields: ["name", "kind", "expiresInDays", "scopes"], example: "{}")
    return 0
}
