import StrataAgent

/// libFuzzer entry: what the agent reads from status interfaces of servers it monitors (Redis `INFO` over
/// RESP, nginx `stub_status`, nginx configuration) must never trap, whatever a server or an impostor sends.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzServerStatus(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    _ = try? RedisPlugin.parseInfo(bytes, afterAuth: false)
    _ = try? RedisPlugin.parseInfo(bytes, afterAuth: true)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = NginxPlugin.parseStatus(text)
    _ = NginxPlugin.statusLocation(text)
    return 0
}
