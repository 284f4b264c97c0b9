import StrataAgent

/// libFuzzer entry: the agent's HTTP/1.1 response parser (it reads whatever the server, or anything
/// pretending to be it, sends back) must never trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPResponse(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = HTTPResponseParser.completeLength(bytes)
    _ = try? HTTPResponseParser(maxBodyBytes: 1 << 20).parse(bytes)
    return 0
}
