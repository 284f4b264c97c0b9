import Synchronization
import Testing
@testable import StrataServer

/// Large write requests share a budget of decoded bytes: a second one that does not fit waits until the first is
/// done, one that finds no room in its wait is refused, small ones never wait, and a single request always gets in.
@Test func largeWriteRequestsShareTheDecodedBytesBudgetAndSmallOnesNeverWait() async throws {
    let budget = DecodedBytesBudget(limit: 100, threshold: 10)
    #expect(await budget.acquire(9, wait: .zero), "below the threshold")
    #expect(budget.used == 0)
    #expect(await budget.acquire(60, wait: .zero))
    #expect(await budget.acquire(40, wait: .zero), "60 + 40 fit in 100")
    #expect(!(await budget.acquire(10, wait: .milliseconds(50))), "no room within the wait")
    budget.release(40)

    let admitted = Mutex(false)
    let waiting = Task {
        let taken = await budget.acquire(70, wait: .seconds(60))
        admitted.withLock { $0 = taken }
        return taken
    }
    try await Task.sleep(for: .milliseconds(100))
    #expect(!admitted.withLock { $0 }, "60 + 70 do not fit: it waits")
    budget.release(60)
    #expect(await waiting.value, "admitted once the first is done")
    #expect(budget.used == 70)
    budget.release(70)

    #expect(await budget.acquire(500, wait: .zero), "alone, a request larger than the budget gets in")
    budget.release(500)
    #expect(budget.used == 0)
}
