import Dispatch
import Foundation

/// Per-series work of one query split into contiguous slices run on every core (`concurrentPerform`), once there
/// are enough series for it to pay: loading and range functions over 100k series ran on one core while the other
/// idled. Results keep the input's order. The transform must touch only its own element and shared immutable state.
public enum ParallelSlices {
    /// Slices a large input is cut into: one per core.
    public static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `transform` of every element, in order; sequential below `minimum` elements or on one core. The first
    /// error thrown (by slice order) is rethrown once every slice has stopped.
    static func map<T, R>(_ items: [T], minimum: Int = 2_048,
                          _ transform: @escaping (T) throws(EngineError) -> R) throws(EngineError) -> [R] {
        let parts = items.count < minimum ? 1 : min(cores, items.count)
        guard parts > 1 else {
            var out: [R] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try transform(item)) }
            return out
        }
        let count = items.count
        let slices = (0..<parts).map { part in Slice<T, R>(items, transform, count * part / parts..<count * (part + 1) / parts) }
        DispatchQueue.concurrentPerform(iterations: parts) { part in slices[part].run() }
        if let error = slices.lazy.compactMap(\.error).first { throw error }
        return slices.flatMap(\.out)
    }

    /// `transform` of every element, in order, split across cores from `minimum` elements (see `map`).
    public static func map<T, R>(_ items: [T], minimum: Int, _ transform: @escaping (T) -> R) -> [R] {
        do throws(EngineError) {
            return try map(items, minimum: minimum) { (item: T) throws(EngineError) -> R in transform(item) }
        } catch {
            preconditionFailure("a transform that cannot throw threw \(error)")
        }
    }

    /// One slice's input and result, touched by one thread at a time: its worker, then the caller once
    /// `concurrentPerform` has returned.
    private final class Slice<T, R>: @unchecked Sendable {
        let items: [T]
        let transform: (T) throws(EngineError) -> R
        var out: [R] = []
        var error: EngineError?

        let range: Range<Int>

        init(_ items: [T], _ transform: @escaping (T) throws(EngineError) -> R, _ range: Range<Int>) {
            self.items = items
            self.transform = transform
            self.range = range
        }

        func run() {
            out.reserveCapacity(range.count)
            do throws(EngineError) {
                for index in range { out.append(try transform(items[index])) }
            } catch {
                self.error = error
            }
        }
    }
}
