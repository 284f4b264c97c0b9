/// One action across many resources (a group action or a schedule's run): at most `concurrency` commands in flight,
/// started in target order; with `stopOnFailure`, the first failure stops new starts and the targets not yet started
/// are `skipped`. A pure state machine: the server tells it what happened, it says what to start next.
public struct GroupRunPlan: Sendable, Equatable {
    /// Where one target stands.
    public enum ItemState: String, Sendable, Codable, Equatable {
        /// Not started yet.
        case pending
        /// Its command is queued or running.
        case running
        case succeeded, failed, refused, expired, interrupted, canceled
        /// Never started: the run stopped at an earlier failure.
        case skipped

        /// Whether it has ended.
        public var isFinal: Bool { self != .pending && self != .running }
        /// Whether it counts as a failure for `stopOnFailure`.
        public var isFailure: Bool { [.failed, .refused, .expired, .interrupted, .canceled].contains(self) }
    }

    /// Most commands in flight.
    public static let maxConcurrency = 1_000

    public let concurrency: Int
    public let stopOnFailure: Bool
    /// Each target's state, in target order.
    public private(set) var states: [ItemState]
    /// Whether a failure stopped new starts.
    public private(set) var stopped = false

    /// A run over `count` targets; concurrency is clamped to 1…`maxConcurrency`.
    public init(count: Int, concurrency: Int, stopOnFailure: Bool) {
        self.concurrency = min(max(1, concurrency), Self.maxConcurrency)
        self.stopOnFailure = stopOnFailure
        states = Array(repeating: .pending, count: max(0, count))
    }

    /// The targets to start now (marked running): pending ones in order, up to the free slots; none once stopped.
    public mutating func startable() -> [Int] {
        guard !stopped else { return [] }
        let free = concurrency - states.lazy.filter { $0 == .running }.count
        guard free > 0 else { return [] }
        var chosen: [Int] = []
        for index in states.indices where states[index] == .pending {
            chosen.append(index)
            states[index] = .running
            if chosen.count == free { break }
        }
        return chosen
    }

    /// Records how target `index` ended (or that it is running); a failure with `stopOnFailure` skips every pending one.
    public mutating func record(_ index: Int, _ state: ItemState) {
        guard states.indices.contains(index), !states[index].isFinal else { return }
        states[index] = state
        if state.isFailure && stopOnFailure && !stopped {
            stopped = true
            for other in states.indices where states[other] == .pending { states[other] = .skipped }
        }
    }

    /// Whether every target has ended.
    public var isFinished: Bool { states.allSatisfy(\.isFinal) }

    /// How many targets are in each state.
    public var counts: [ItemState: Int] {
        states.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }
}
