extension StringProtocol {
    /// Without leading and trailing HTTP whitespace (space and horizontal tab, RFC 9110's OWS), as a header's
    /// parts are read. Pure Swift: Foundation's `trimmingCharacters(in:)` bridged every header of every request
    /// through `NSString`, about 1 % of the server's CPU under remote-write load.
    func trimmingHTTPWhitespace() -> Substring {
        let whole = Substring(self)
        guard let first = whole.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = whole.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return whole[whole.endIndex...] }
        return whole[first...last]
    }
}
