#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A growth curve fitted by least squares to (x, y) points, x in days from the first point: a line, an exponential
/// (a constant growth rate; a line through the logarithms of positive values), a saturating curve `a − b·e^(−c·x)`
/// (growth that slows towards a ceiling) or an accelerating one `a + b·e^(c·x)` (a base plus a part that grows at a
/// constant rate, as a leak fed by growing traffic); c by a search over a grid, a and b by least squares.
/// The fit with the smallest AIC wins, so a curve must earn its extra parameter.
public struct GrowthModel: Sendable, Hashable {
    /// The curve's family.
    public enum Kind: String, Sendable, Hashable, Codable {
        case linear, exponential, saturating, accelerating
    }

    /// The family.
    public var kind: Kind
    /// linear: a + b·x; exponential: e^(a + b·x); saturating: a − b·e^(−c·x); accelerating: a + b·e^(c·x).
    public var a: Double, b: Double, c: Double
    /// Akaike's information criterion of the fit (smaller is better).
    public var aic: Double

    /// y at `x`.
    public func value(at x: Double) -> Double {
        switch kind {
        case .linear: return a + b * x
        case .exponential: return exp(a + b * x)
        case .saturating: return a - b * exp(-c * x)
        case .accelerating: return a + b * exp(c * x)
        }
    }

    /// The best of the three families for `points`; nil for fewer than 4 points.
    public static func best(_ points: [(x: Double, y: Double)]) -> GrowthModel? {
        guard points.count >= 4 else { return nil }
        return [linear(points), exponential(points), curved(points, .saturating), curved(points, .accelerating)]
            .compactMap { $0 }.min { $0.aic < $1.aic }
    }

    /// a + b·x by least squares.
    static func linear(_ points: [(x: Double, y: Double)]) -> GrowthModel? {
        guard let (a, b) = line(points.map(\.x), points.map(\.y)) else { return nil }
        return GrowthModel(kind: .linear, a: a, b: b, c: 0, aic: aic(points, parameters: 2) { a + b * $0 })
    }

    /// e^(a + b·x): a line through log y (every y positive).
    static func exponential(_ points: [(x: Double, y: Double)]) -> GrowthModel? {
        guard points.allSatisfy({ $0.y > 0 }), let (a, b) = line(points.map(\.x), points.map { log($0.y) }) else { return nil }
        return GrowthModel(kind: .exponential, a: a, b: b, c: 0, aic: aic(points, parameters: 2) { exp(a + b * $0) })
    }

    /// a − b·e^(−c·x) (saturating) or a + b·e^(c·x) (accelerating), b > 0: the time constant 1/c from a log-spaced
    /// grid (0.05 to 2,000 days), then refined by a golden-section search between the best point's neighbours; a and
    /// b by least squares for each c.
    static func curved(_ points: [(x: Double, y: Double)], _ kind: Kind) -> GrowthModel? {
        let grid = 40
        let sign: Double = kind == .saturating ? -1 : 1
        let span = (points.map(\.x).max() ?? 0) - (points.map(\.x).min() ?? 0)
        func fit(logTau: Double) -> GrowthModel? {
            let c = exp(-logTau)
            // e^(c·x) over the history must stay representable.
            guard sign < 0 || c * span < 600 else { return nil }
            guard let (intercept, slope) = line(points.map { exp(sign * c * $0.x) }, points.map(\.y)) else { return nil }
            let (a, b) = (intercept, sign < 0 ? -slope : slope)
            guard b > 0 else { return nil }
            let model = GrowthModel(kind: kind, a: a, b: b, c: c, aic: 0)
            return GrowthModel(kind: kind, a: a, b: b, c: c, aic: aic(points, parameters: 3) { model.value(at: $0) })
        }
        let (lowest, highest) = (log(0.05), log(2_000.0))
        let logTaus = (0..<grid).map { lowest + (highest - lowest) * Double($0) / Double(grid - 1) }
        let fits = logTaus.map(fit)
        guard let bestIndex = fits.indices.filter({ fits[$0] != nil }).min(by: { fits[$0]!.aic < fits[$1]!.aic }) else { return nil }
        var best = fits[bestIndex]!
        // Golden-section search of the AIC over log τ between the neighbours of the best grid point.
        var (low, high) = (logTaus[max(0, bestIndex - 1)], logTaus[min(grid - 1, bestIndex + 1)])
        let ratio = (5.0.squareRoot() - 1) / 2
        for _ in 0..<24 where high - low > 1e-4 {
            let left = high - ratio * (high - low), right = low + ratio * (high - low)
            let leftAIC = fit(logTau: left)?.aic ?? .infinity, rightAIC = fit(logTau: right)?.aic ?? .infinity
            if leftAIC < rightAIC { high = right } else { low = left }
        }
        if let refined = fit(logTau: (low + high) / 2), refined.aic < best.aic { best = refined }
        return best
    }

    /// Least-squares line y = a + b·x; nil when x does not vary.
    static func line(_ x: [Double], _ y: [Double]) -> (Double, Double)? {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0
        for (u, v) in zip(x, y) {
            sxy += (u - mx) * (v - my)
            sxx += (u - mx) * (u - mx)
        }
        guard sxx > 0, sxy.isFinite else { return nil }
        let b = sxy / sxx
        return (my - b * mx, b)
    }

    /// AIC of `model` on `points` with `parameters` parameters (Gaussian errors).
    static func aic(_ points: [(x: Double, y: Double)], parameters: Int, _ model: (Double) -> Double) -> Double {
        let rss = points.reduce(0.0) { total, point in
            let residual = point.y - model(point.x)
            return total + residual * residual
        }
        let n = Double(points.count)
        return n * log(max(rss / n, 1e-300)) + 2 * Double(parameters)
    }
}
