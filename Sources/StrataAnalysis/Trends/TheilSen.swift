/// The Theil–Sen line: the median of the slopes between every pair of points, and the median intercept for that
/// slope. Robust: up to 29 % of the points can be outliers without moving it far. Pure; O(n²) pairs, so longer
/// series are thinned to `maxPoints` evenly spaced points first.
public struct TheilSen: Sendable, Hashable {
    /// Change of y per unit of x.
    public var slope: Double
    /// y at x = 0.
    public var intercept: Double

    /// Most points used; longer series are thinned evenly (first and last kept).
    public static let maxPoints = 1_500

    /// The line through `points` (x, y); nil for fewer than two points with distinct x or any non-finite value.
    public init?(_ points: [(x: Double, y: Double)]) {
        guard points.count >= 2, points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        let used = Self.thinned(points)
        var slopes: [Double] = []
        slopes.reserveCapacity(used.count * (used.count - 1) / 2)
        for i in 0..<used.count {
            for j in (i + 1)..<used.count where used[j].x != used[i].x {
                slopes.append((used[j].y - used[i].y) / (used[j].x - used[i].x))
            }
        }
        guard let slope = Self.median(slopes) else { return nil }
        self.slope = slope
        intercept = Self.median(used.map { $0.y - slope * $0.x }) ?? 0
    }

    /// y on the line at `x`.
    public func value(at x: Double) -> Double { intercept + slope * x }

    /// At most `maxPoints` of `points`, evenly spaced by index.
    static func thinned(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > maxPoints else { return points }
        let step = Double(points.count - 1) / Double(maxPoints - 1)
        return (0..<maxPoints).map { points[Int((Double($0) * step).rounded())] }
    }

    /// The median of `values`; nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
