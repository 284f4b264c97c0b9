import StrataCore
import StrataTSDB

/// libFuzzer entry: the series selector parser (and the regexes it compiles) must never trap; a parsed
/// selector is applied to a label set.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSelector(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    guard let matchers = try? SeriesSelector.parse(String(decoding: bytes, as: UTF8.self)) else { return 0 }
    let labels: Labels = ["__name__": "cpu_seconds_total", "mode": "user", "instance": "host:9100"]
    for matcher in matchers { _ = matcher.matches(labels) }
    return 0
}
