import StrataCore
import StrataWire

/// Series seen by earlier inputs, so the known-series path of the resolver is exercised too.
let resolver = SeriesResolver(capacity: 4096)

/// libFuzzer entry: the OTLP protobuf and JSON decoders, the translation to series and their resolution must
/// never trap; the input is tried as protobuf, as JSON, and (when it inflates) as a gzip body of either.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOTLP(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    for body in [bytes, try? Zlib.decompress(bytes, limit: 1 << 22, gzip: true)] {
        guard let body else { continue }
        for decoded in [try? OTLPProtobuf.decode(body), try? OTLPJSON.decode(body)] {
            guard let decoded else { continue }
            let translation = OTLPTranslator().translate(decoded)
            var batch = SampleBatch(capacity: 16)
            var newSeries: [SeriesResolver.Entry] = []
            if (try? translation.append(tenant: "fuzz", resolver: resolver, into: &batch, newSeries: &newSeries)) != nil {
                resolver.remember(newSeries)
            }
        }
    }
    return 0
}
