import StrataPromQL

/// The functions of a range vector, applied to the points of one series in one window, as Prometheus 2.42's
/// `functions.go` computes them (its extrapolation rules, Kahan–Neumaier sums, regression and smoothing).
enum RangeFunctions {
    /// Points of a window, read in place from the series' array (an `ArraySlice` per window retained the array
    /// for each of the steps times series).
    typealias PointSlice = Slice<UnsafeBufferPointer<Point>>

    /// The window a range function sees: its points (no staleness markers, at least one), the bounds of the
    /// selector's range (closed at both ends) and the evaluation time.
    struct Window {
        var points: PointSlice
        /// `maxt - range`.
        var start: Int64
        /// The evaluation time less the offset (or the `@` time less the offset).
        var end: Int64
        var rangeMs: Int64
        /// The evaluation step's time (`predict_linear` regresses against it).
        var ts: Int64
        /// Whether no point of the whole series is below the one before it (no counter reset in any window), known
        /// before the windows are read; false when not known.
        var nonDecreasing = false
    }

    /// The functions that look for counter resets in every window, where a series known to have none is read once
    /// instead of once per step.
    static let readingResets: Set<String> = ["rate", "increase", "resets"]

    /// Whether no point of `points` is below the one before it (a NaN is below nothing).
    static func isNonDecreasing(_ points: UnsafeBufferPointer<Point>) -> Bool {
        var index = 1
        while index < points.count {
            if points[index].v < points[index - 1].v { return false }
            index += 1
        }
        return true
    }

    /// The value of `function` over `window`, nil when Prometheus drops the element; `scalars` are the function's
    /// other arguments at this step, in order.
    static func evaluate(_ function: String, _ window: Window, scalars: [Double]) throws(EngineError) -> Double? {
        let points = window.points
        switch function {
        case "rate": return extrapolatedRate(window, isCounter: true, isRate: true)
        case "increase": return extrapolatedRate(window, isCounter: true, isRate: false)
        case "delta": return extrapolatedRate(window, isCounter: false, isRate: false)
        case "irate": return instantValue(points, isRate: true)
        case "idelta": return instantValue(points, isRate: false)
        case "deriv":
            guard points.count >= 2 else { return nil }
            return linearRegression(points, interceptTime: points[points.startIndex].t).slope
        case "predict_linear":
            guard points.count >= 2 else { return nil }
            let fit = linearRegression(points, interceptTime: window.ts)
            return fit.slope * scalars[0] + fit.intercept
        case "holt_winters": return try holtWinters(points, smoothing: scalars[0], trend: scalars[1])
        case "resets":
            if window.nonDecreasing { return 0 }
            var resets = 0
            var previous = points[points.startIndex].v
            for point in points.dropFirst() {
                if point.v < previous { resets += 1 }
                previous = point.v
            }
            return Double(resets)
        case "changes":
            var changes = 0
            var previous = points[points.startIndex].v
            for point in points.dropFirst() {
                if point.v != previous && !(point.v.isNaN && previous.isNaN) { changes += 1 }
                previous = point.v
            }
            return Double(changes)
        case "avg_over_time": return averageOverTime(points)
        case "count_over_time": return Double(points.count)
        case "last_over_time": return points[points.endIndex - 1].v
        case "present_over_time", "absent_over_time": return 1
        case "max_over_time":
            var result = points[points.startIndex].v
            for point in points where point.v > result || result.isNaN { result = point.v }
            return result
        case "min_over_time":
            var result = points[points.startIndex].v
            for point in points where point.v < result || result.isNaN { result = point.v }
            return result
        case "sum_over_time":
            var sum = 0.0, c = 0.0
            for point in points { (sum, c) = GoMath.kahanSumInc(point.v, sum, c) }
            return sum.isInfinite ? sum : sum + c
        case "quantile_over_time": return Quantiles.quantile(scalars[0], points.map(\.v))
        case "stddev_over_time": return variance(points).squareRoot()
        case "stdvar_over_time": return variance(points)
        default: return nil
        }
    }

    /// rate, increase and delta: the change over the window, counter resets added back (counters), extrapolated
    /// towards the window's bounds where the first and last samples are close to them.
    static func extrapolatedRate(_ window: Window, isCounter: Bool, isRate: Bool) -> Double? {
        let points = window.points
        guard points.count >= 2 else { return nil }
        let first = points[points.startIndex], last = points[points.endIndex - 1]
        var result = last.v - first.v
        if isCounter && !window.nonDecreasing {
            var previous = first.v
            for point in points.dropFirst() {
                if point.v < previous { result += previous }
                previous = point.v
            }
        }
        var durationToStart = Double(first.t &- window.start) / 1000
        let durationToEnd = Double(window.end &- last.t) / 1000
        let sampledInterval = Double(last.t &- first.t) / 1000
        let averageBetweenSamples = sampledInterval / Double(points.count - 1)
        if isCounter && result > 0 && first.v >= 0 {
            let durationToZero = sampledInterval * (first.v / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageBetweenSamples * 1.1
        var extrapolateTo = sampledInterval
        extrapolateTo += durationToStart < threshold ? durationToStart : averageBetweenSamples / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageBetweenSamples / 2
        var factor = extrapolateTo / sampledInterval
        if isRate { factor /= Double(window.rangeMs) / 1000 }
        return result * factor
    }

    /// irate and idelta: from the last two samples.
    static func instantValue(_ points: PointSlice, isRate: Bool) -> Double? {
        guard points.count >= 2 else { return nil }
        let last = points[points.endIndex - 1], previous = points[points.endIndex - 2]
        var result = isRate && last.v < previous.v ? last.v : last.v - previous.v
        let interval = last.t &- previous.t
        guard interval != 0 else { return nil }
        if isRate { result /= Double(interval) / 1000 }
        return result
    }

    /// Least squares over (seconds since `interceptTime`, value), with Prometheus's compensated sums; a constant
    /// series has slope exactly 0 (NaN for an infinite constant).
    static func linearRegression(_ points: PointSlice, interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = points[points.startIndex].v
        var constY = true
        for (index, point) in points.enumerated() {
            if constY && index > 0 && point.v != initY { constY = false }
            n += 1
            let x = Double(point.t &- interceptTime) / 1e3
            (sumX, cX) = GoMath.kahanSumInc(x, sumX, cX)
            (sumY, cY) = GoMath.kahanSumInc(point.v, sumY, cY)
            (sumXY, cXY) = GoMath.kahanSumInc(x * point.v, sumXY, cXY)
            (sumX2, cX2) = GoMath.kahanSumInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        return (slope, sumY / n - slope * sumX / n)
    }

    /// Double exponential smoothing; factors outside (0, 1) are Prometheus's execution errors.
    static func holtWinters(_ points: PointSlice, smoothing sf: Double, trend tf: Double) throws(EngineError) -> Double? {
        if sf <= 0 || sf >= 1 {
            throw .execution("invalid smoothing factor. Expected: 0 < sf < 1, got: \(PromFloatText.sixDecimals(sf))")
        }
        if tf <= 0 || tf >= 1 {
            throw .execution("invalid trend factor. Expected: 0 < tf < 1, got: \(PromFloatText.sixDecimals(tf))")
        }
        let values = points.map(\.v)
        guard values.count >= 2 else { return nil }
        var s0 = 0.0
        var s1 = values[0]
        var b = values[1] - values[0]
        for i in 1..<values.count {
            let x = sf * values[i]
            if i - 1 != 0 { b = tf * (s1 - s0) + (1 - tf) * b }
            let y = (1 - sf) * (s1 + b)
            (s0, s1) = (s1, x + y)
        }
        return s1
    }

    /// avg_over_time: Prometheus's incremental, compensated mean, infinities kept.
    static func averageOverTime(_ points: PointSlice) -> Double {
        var mean = 0.0, count = 0.0, c = 0.0
        for point in points {
            count += 1
            if mean.isInfinite {
                if point.v.isInfinite && (mean > 0) == (point.v > 0) { continue }
                if !point.v.isInfinite && !point.v.isNaN { continue }
            }
            (mean, c) = GoMath.kahanSumInc(point.v / count - mean / count, mean, c)
        }
        return mean.isInfinite ? mean : mean + c
    }

    /// The population variance by Welford's method with compensated sums, as stdvar_over_time computes it.
    static func variance(_ points: PointSlice) -> Double {
        var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
        for point in points {
            count += 1
            let delta = point.v - (mean + cMean)
            (mean, cMean) = GoMath.kahanSumInc(delta / count, mean, cMean)
            (aux, cAux) = GoMath.kahanSumInc(delta * (point.v - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }
}
