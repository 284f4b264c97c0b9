import Dispatch

/// Frees what a query no longer needs on another thread, after the answer is on its way: the loaded series of
/// 100k-series queries took a tenth of the query's time to free on the thread that waited for the answer. (Go's
/// collector frees Prometheus's on other threads in the same way.)
enum DeferredRelease {
    /// Takes `value` and drops it on a background thread; the caller must not keep another reference for the
    /// memory to be freed there.
    static func release<T>(_ value: consuming T) {
        let box = Box(value)
        DispatchQueue.global(qos: .utility).async { box.value = nil }
    }

    /// The value between the caller and the background thread: handed over once, then touched by that thread only.
    private final class Box<T>: @unchecked Sendable {
        var value: T?
        init(_ value: consuming T) { self.value = value }
    }
}
