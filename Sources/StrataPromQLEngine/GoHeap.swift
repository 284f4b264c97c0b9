/// Go's `container/heap` on an array with a `less` order, so that which of equal elements is evicted matches.
enum GoHeap {
    static func push<T>(_ heap: inout [T], _ element: T, _ less: (T, T) -> Bool) {
        heap.append(element)
        up(&heap, heap.count - 1, less)
    }

    @discardableResult
    static func pop<T>(_ heap: inout [T], _ less: (T, T) -> Bool) -> T {
        let n = heap.count - 1
        heap.swapAt(0, n)
        down(&heap, 0, n, less)
        return heap.removeLast()
    }

    private static func up<T>(_ heap: inout [T], _ start: Int, _ less: (T, T) -> Bool) {
        var j = start
        while true {
            let i = (j - 1) / 2
            if i == j || !less(heap[j], heap[i]) || j <= 0 { break }
            heap.swapAt(i, j)
            j = i
        }
    }

    private static func down<T>(_ heap: inout [T], _ start: Int, _ n: Int, _ less: (T, T) -> Bool) {
        var i = start
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && less(heap[j2], heap[j1]) { j = j2 }
            if !less(heap[j], heap[i]) { break }
            heap.swapAt(i, j)
            i = j
        }
    }
}
