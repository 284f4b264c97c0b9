/// Go's arithmetic where it differs from Swift's, so results match Prometheus's bit for bit where it matters.
enum GoMath {
    /// `math.Max`: +Inf wins over NaN, then NaN wins (Swift's `max` ignores a NaN).
    static func max(_ x: Double, _ y: Double) -> Double {
        if x == .infinity || y == .infinity { return .infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? y : x }
        return x > y ? x : y
    }

    /// `math.Min`: -Inf wins over NaN, then NaN wins.
    static func min(_ x: Double, _ y: Double) -> Double {
        if x == -.infinity || y == -.infinity { return -.infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? x : y }
        return x < y ? x : y
    }

    /// One step of Prometheus's Kahan–Neumaier sum (`kahanSumInc`): the new sum and compensation.
    @inline(__always)
    static func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if Swift.abs(sum) >= Swift.abs(inc) {
            c += (sum - t) + inc
        } else {
            c += (inc - t) + sum
        }
        return (t, c)
    }

    /// Go's `int64(x)` on amd64: truncation toward zero, and the "integer indefinite" value `Int64.min` for NaN
    /// and anything out of range (Swift's conversion would trap).
    static func int64(_ x: Double) -> Int64 {
        guard x.isFinite, x > -9_223_372_036_854_775_809.0, x < 9_223_372_036_854_775_808.0 else { return .min }
        return Int64(x)
    }

    /// Whether Prometheus's `convertibleToInt64` holds: not NaN and within the float bounds of int64.
    static func convertibleToInt64(_ x: Double) -> Bool {
        x <= 9_223_372_036_854_775_807.0 && x >= -9_223_372_036_854_775_808.0
    }

    /// `math.Mod`: the remainder with the sign of `x` (C's `fmod`).
    static func mod(_ x: Double, _ y: Double) -> Double { x.truncatingRemainder(dividingBy: y) }
}

/// Go's calendar arithmetic for `time.Unix(sec, 0).UTC()` (Go 1.19's `absDate`), in wrapping unsigned arithmetic as
/// Go does, so even a NaN turned into `Int64.min` seconds gives Prometheus's answer.
struct GoDate {
    let year: Int64
    let month: Int
    let day: Int
    let yearDay: Int
    let hour: Int
    let minute: Int
    let weekday: Int

    private static let secondsPerDay: UInt64 = 86_400
    private static let daysPer400Years: UInt64 = 365 * 400 + 97
    private static let daysPer100Years: UInt64 = 365 * 100 + 24
    private static let daysPer4Years: UInt64 = 365 * 4 + 1
    private static let absoluteZeroYear: Int64 = -292_277_022_399
    /// Go's `unixToInternal + internalToAbsolute`.
    private static let unixToAbsolute: Int64 = 9_223_372_028_715_321_600
    private static let daysBefore = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]

    init(unixSeconds: Int64) {
        let abs = UInt64(bitPattern: unixSeconds &+ Self.unixToAbsolute)
        var d = abs / Self.secondsPerDay
        var n = d / Self.daysPer400Years
        var y = 400 &* n
        d &-= Self.daysPer400Years &* n
        n = d / Self.daysPer100Years
        n &-= n >> 2
        y &+= 100 &* n
        d &-= Self.daysPer100Years &* n
        n = d / Self.daysPer4Years
        y &+= 4 &* n
        d &-= Self.daysPer4Years &* n
        n = d / 365
        n &-= n >> 2
        y &+= n
        d &-= 365 &* n
        let year = Int64(bitPattern: y) &+ Self.absoluteZeroYear
        let yday = Int(d)
        var day = yday
        var month = 0
        var found = false
        if Self.isLeap(year) {
            if day > 31 + 29 - 1 {
                day -= 1
            } else if day == 31 + 29 - 1 {
                month = 2
                day = 29
                found = true
            }
        }
        if !found {
            var estimate = day / 31
            let end = Self.daysBefore[estimate + 1]
            let begin: Int
            if day >= end {
                estimate += 1
                begin = end
            } else {
                begin = Self.daysBefore[estimate]
            }
            month = estimate + 1
            day = day - begin + 1
        }
        self.year = year
        self.month = month
        self.day = day
        yearDay = yday + 1
        hour = Int(abs % Self.secondsPerDay) / 3600
        minute = Int(abs % 3600) / 60
        weekday = Int(((abs &+ Self.secondsPerDay) % (7 * Self.secondsPerDay)) / Self.secondsPerDay)
    }

    /// Days in this date's month.
    var daysInMonth: Int {
        if month == 2 { return Self.isLeap(year) ? 29 : 28 }
        return Self.daysBefore[month] - Self.daysBefore[month - 1]
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
