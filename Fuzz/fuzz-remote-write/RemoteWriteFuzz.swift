import StrataTSDB
import StrataWire

/// Series seen by earlier inputs, so the known-series path (byte comparison) is exercised too.
let resolver = SeriesResolver(capacity: 4096)

/// libFuzzer entry: snappy and the remote-write protobuf decoder must never trap; the input is tried both
/// as a snappy body (as it arrives) and as raw protobuf (to reach the decoder without snappy framing).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRemoteWrite(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    for body in [try? Snappy.decompress(bytes, limit: 1 << 22), bytes] {
        guard let body else { continue }
        var batch = SampleBatch(capacity: 16)
        var newSeries: [SeriesResolver.Entry] = []
        if (try? RemoteWriteRequest.decode(body, tenant: "fuzz", resolver: resolver, into: &batch, newSeries: &newSeries)) != nil {
            resolver.remember(newSeries)
        }
    }
    return 0
}
