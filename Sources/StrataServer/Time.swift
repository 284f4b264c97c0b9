import StrataTSDB

/// Wall-clock time in Unix milliseconds: the engine's clock, so the server and the store agree on "now".
enum Time {
    static func nowMs() -> Int64 { WallClock.nowMs() }
}
