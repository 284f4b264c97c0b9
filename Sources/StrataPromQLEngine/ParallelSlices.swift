import Dispatch
import Foundation

/// Per-series work of one query split into contiguous slices run on every core (`concurrentPerform`), once there
/// are enough series for it to pay: loading and range functions over 100k series ran on one core while the other
/// idled. Results keep the input's order. The work must touch only its own slice and shared immutable state.
public enum ParallelSlices {
    /// Slices a large input is cut into: one per core.
    public static let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// `body` of each of `parts` contiguous ranges cutting `0..<count` (fewer when `count` is smaller), all run at
    /// once; the results in range order.
    public static func mapRanges<R>(_ count: Int, parts: Int, _ body: @escaping (Range<Int>) -> R) -> [R] {
        let parts = max(1, min(parts, count))
        let slices = (0..<parts).map { Slice(count * $0 / parts..<count * ($0 + 1) / parts, body) }
        if parts == 1 {
            slices[0].run()
        } else {
            DispatchQueue.concurrentPerform(iterations: parts) { part in slices[part].run() }
        }
        return slices.map { $0.result! }
    }

    /// How many slices `count` items of `perItem` units of work each are worth (a unit is about one step of one
    /// series): one per core from 4,096 units, else one (waking a thread costs tens of microseconds).
    public static func parts(_ count: Int, perItem: Int = 1) -> Int {
        let (work, overflow) = count.multipliedReportingOverflow(by: max(1, perItem))
        return count >= 2 * cores && (overflow || work >= 4_096) ? cores : 1
    }

    /// `transform` of every element, in order; sequential below `minimum` elements or on one core. The first
    /// error thrown (by slice order) is rethrown once every slice has stopped.
    static func map<T, R>(_ items: [T], minimum: Int = 1_024,
                          _ transform: @escaping (T) throws(EngineError) -> R) throws(EngineError) -> [R] {
        let slices = mapRanges(items.count, parts: items.count < minimum ? 1 : cores) { range -> Result<[R], EngineError> in
            var out: [R] = []
            out.reserveCapacity(range.count)
            do throws(EngineError) {
                for index in range { out.append(try transform(items[index])) }
            } catch {
                return .failure(error)
            }
            return .success(out)
        }
        var out: [R] = []
        out.reserveCapacity(items.count)
        for slice in slices { out += try slice.get() }
        return out
    }

    /// One slice's range and result, touched by one thread at a time: its worker, then the caller once
    /// `concurrentPerform` has returned.
    private final class Slice<R>: @unchecked Sendable {
        let range: Range<Int>
        let body: (Range<Int>) -> R
        var result: R?

        init(_ range: Range<Int>, _ body: @escaping (Range<Int>) -> R) {
            self.range = range
            self.body = body
        }

        func run() { result = body(range) }
    }
}
