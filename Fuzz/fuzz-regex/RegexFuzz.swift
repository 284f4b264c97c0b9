import StrataCore

/// libFuzzer entry: the linear-time regular-expression engine. The input is a pattern and a text separated by
/// the first newline; compiling may fail, but nothing may trap, and matching must finish in time linear in
/// the text (libFuzzer's 1 s per-input timeout catches any backtracking blow-up).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegex(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
    let split = bytes.firstIndex(of: 0x0A) ?? bytes.endIndex
    let pattern = String(decoding: bytes[..<split], as: UTF8.self)
    let text = split < bytes.endIndex ? String(decoding: bytes[(split + 1)...], as: UTF8.self) : ""
    guard let regex = try? LinearRegex(pattern) else { return 0 }
    let whole = regex.wholeMatch(text)
    let anywhere = regex.firstMatch(in: text)
    // A whole match is also a match somewhere.
    if whole && !anywhere { fatalError("wholeMatch without firstMatch for \(pattern)") }
    _ = regex.wholeMatch(text + text)
    return 0
}
