import StrataCore

/// libFuzzer entry: the agent protocol v1 decoder must never trap, and whatever it accepts must survive
/// an encode/decode round trip unchanged (compared as encodings, so NaN samples compare equal).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAgentBatch(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let batch = try? BatchCodec.decode(bytes) else { return 0 }
    let encoded = BatchCodec.encode(batch, compression: .none)
    guard let again = try? BatchCodec.decode(encoded) else { fatalError("an accepted batch no longer decodes after re-encoding") }
    precondition(BatchCodec.encode(again, compression: .none) == encoded, "the round trip changed the batch")
    return 0
}
