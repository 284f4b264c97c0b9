import StrataCore
import StrataTSDB
import StrataWire

/// libFuzzer entry: any query string, parsed as the API parses it — every numeric parameter through its
/// bounded accessor, then the range query a request would make validated and its step count computed as
/// the engine computes it. Nothing may trap (an overflow, a conversion of a huge double).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQueryParameters(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let query = QueryString(String(decoding: bytes, as: UTF8.self))
    _ = try? query.limit(default: 100)
    _ = try? query.id("before", meaning: "an id")
    _ = try? query.integer("seconds", in: 1...300, meaning: "seconds")
    _ = try? query.time("since")
    _ = query.all("match[]")
    guard let window = try? query.window(defaultSpanMs: 3_600_000, nowMs: 1_764_633_600_000) else { return 0 }
    let step: Int64
    do {
        step = try query.step() ?? 60_000
    } catch {
        return 0
    }
    let range = RangeQuery(matchers: [], fromMs: window.from, toMs: window.to, stepMs: step)
    if (try? range.validate()) != nil {
        _ = (range.toMs - range.alignedFromMs) / range.stepMs + 1
    }
    return 0
}
