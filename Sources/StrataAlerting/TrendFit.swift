#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Fits a trend to (time, value) points and projects when it crosses a threshold. Three models, each by least
/// squares: a line, a parabola (growth that speeds up or levels off) and an exponential (a constant growth rate,
/// fitted as a line through the logarithms of positive values); the one with the smallest Akaike information
/// criterion wins, so an extra parameter must earn its keep. Times are taken relative to the last point, in seconds,
/// which keeps the normal equations well conditioned. Pure and bounded: O(points) per fit.
public enum TrendFit {
    /// A fitted model.
    public enum Model: String, Sendable, Codable, Equatable {
        case linear, quadratic, exponential
    }

    /// A fit: the model, its coefficients and its residual sum of squares.
    public struct Fit: Sendable, Equatable {
        public var model: Model
        /// linear: a + b·t; quadratic: a + b·t + c·t²; exponential: e^(a + b·t).
        public var a: Double, b: Double, c: Double
        public var residualSquares: Double
        public var aic: Double

        /// The fitted value `seconds` after the last point.
        public func value(at seconds: Double) -> Double {
            switch model {
            case .linear: return a + b * seconds
            case .quadratic: return a + b * seconds + c * seconds * seconds
            case .exponential: return exp(a + b * seconds)
            }
        }

        /// The first time in (0, horizon] seconds after the last point at which the fit reaches `threshold` from
        /// below (`rising`) or above, or nil.
        public func crossing(_ threshold: Double, rising: Bool, within horizon: Double) -> Double? {
            func reached(_ value: Double) -> Bool { rising ? value >= threshold : value <= threshold }
            if reached(value(at: 0)) { return 0 }
            var roots: [Double] = []
            switch model {
            case .linear:
                if b != 0 { roots = [(threshold - a) / b] }
            case .quadratic:
                if c == 0 {
                    if b != 0 { roots = [(threshold - a) / b] }
                } else {
                    let discriminant = b * b - 4 * c * (a - threshold)
                    if discriminant >= 0 {
                        let root = discriminant.squareRoot()
                        roots = [(-b - root) / (2 * c), (-b + root) / (2 * c)]
                    }
                }
            case .exponential:
                if threshold > 0, b != 0 { roots = [(log(threshold) - a) / b] }
            }
            return roots.filter { $0.isFinite && $0 > 0 && $0 <= horizon }.min()
        }
    }

    /// The best of the three fits of `points` (at least 3, else nil); `points` are (Unix ms, value), oldest first.
    public static func best(_ points: [(timestampMs: Int64, value: Double)]) -> Fit? {
        let usable = points.filter { $0.value.isFinite }
        guard usable.count >= 3, let last = usable.last?.timestampMs else { return nil }
        let t = usable.map { Double($0.timestampMs.subtractingReportingOverflow(last).partialValue) / 1000 }
        let y = usable.map(\.value)
        var fits: [Fit] = []
        if let line = polynomial(t, y, degree: 1) { fits.append(line) }
        if usable.count >= 4, let parabola = polynomial(t, y, degree: 2) { fits.append(parabola) }
        if y.allSatisfy({ $0 > 0 }), let exponential = exponential(t, y) { fits.append(exponential) }
        return fits.min { $0.aic < $1.aic }
    }

    /// Least squares for degree 1 or 2 by the normal equations (Cramer's rule on the 2×2 or 3×3 system).
    static func polynomial(_ t: [Double], _ y: [Double], degree: Int) -> Fit? {
        let n = Double(t.count)
        var s = [Double](repeating: 0, count: 5)  // Σ t^k, k = 0…4
        var r = [Double](repeating: 0, count: 3)  // Σ y·t^k, k = 0…2
        for index in t.indices {
            var power = 1.0
            for k in 0..<5 {
                s[k] += power
                if k < 3 { r[k] += y[index] * power }
                power *= t[index]
            }
        }
        let a: Double, b: Double, c: Double
        if degree == 1 {
            let determinant = s[0] * s[2] - s[1] * s[1]
            guard determinant != 0, determinant.isFinite else { return nil }
            a = (r[0] * s[2] - s[1] * r[1]) / determinant
            b = (s[0] * r[1] - s[1] * r[0]) / determinant
            c = 0
        } else {
            let m = [[s[0], s[1], s[2]], [s[1], s[2], s[3]], [s[2], s[3], s[4]]]
            func det(_ m: [[Double]]) -> Double {
                m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
            }
            let determinant = det(m)
            guard determinant != 0, determinant.isFinite else { return nil }
            func replaced(_ column: Int) -> [[Double]] {
                var copy = m
                for row in 0..<3 { copy[row][column] = r[row] }
                return copy
            }
            a = det(replaced(0)) / determinant
            b = det(replaced(1)) / determinant
            c = det(replaced(2)) / determinant
        }
        guard a.isFinite, b.isFinite, c.isFinite else { return nil }
        let model: Model = degree == 1 ? .linear : .quadratic
        var fit = Fit(model: model, a: a, b: b, c: c, residualSquares: 0, aic: 0)
        fit.residualSquares = zip(t, y).reduce(0) { sum, point in let e = point.1 - fit.value(at: point.0); return sum + e * e }
        fit.aic = aic(fit.residualSquares, n: n, parameters: Double(degree + 1))
        return fit
    }

    /// An exponential fitted as a line through log(y); its residuals are measured on y, so its AIC compares with the others.
    static func exponential(_ t: [Double], _ y: [Double]) -> Fit? {
        guard var line = polynomial(t, y.map { log($0) }, degree: 1) else { return nil }
        line.model = .exponential
        line.residualSquares = zip(t, y).reduce(0) { sum, point in let e = point.1 - line.value(at: point.0); return sum + e * e }
        guard line.residualSquares.isFinite else { return nil }
        line.aic = aic(line.residualSquares, n: Double(t.count), parameters: 2)
        return line
    }

    static func aic(_ residualSquares: Double, n: Double, parameters: Double) -> Double {
        n * log(max(residualSquares / n, 1e-300)) + 2 * parameters
    }
}
