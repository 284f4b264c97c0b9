import Foundation

/// Wall-clock time in Unix milliseconds.
enum Time {
    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
