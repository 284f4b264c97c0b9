import Testing
@testable import StrataAlerting

@Suite struct TopologySuppressionTests {
    /// host → hypervisor → vm → guest → server, each with its ancestors nearest first.
    static let stack = ["host", "hypervisor", "vm", "guest", "server"]
    static func ancestors(_ index: Int) -> [String] { Array(stack[..<index].reversed()) }

    @Test func aReleasedAlertIsHeldByTheNextDownAncestorIfThereIsOne() {
        #expect(TopologySuppression.rehold(holder: "vm", ancestors: ["vm", "hypervisor"], openAvailability: ["vm", "hypervisor"]) == "vm")
        #expect(TopologySuppression.rehold(holder: "vm", ancestors: ["vm", "hypervisor"], openAvailability: ["hypervisor"]) == "hypervisor")
        #expect(TopologySuppression.rehold(holder: "vm", ancestors: ["vm", "hypervisor"], openAvailability: []) == nil)
    }

    /// Random sequences of ancestors going down and up and of alerts opening and closing on every layer, told the
    /// way the evaluator does it (held when opening beneath a down ancestor, re-held or released when a down
    /// ancestor recovers) against a naive reference that, after every step, tells every open episode not told yet
    /// whose ancestors are all up: the same episodes are told at the same steps, and none twice.
    @Test func holdingAndReleasingTellsEachEpisodeOnceWhenNoAncestorIsDown() {
        var random = TrendTests.SeededNoise(seed: 19)
        for _ in 0..<300 {
            var down = Set<String>()
            var open: [Int: String?] = [:]   // alert on stack[i] → its holder
            var naiveOpen = Set<Int>()
            var naiveTold = Set<Int>()
            var told: [String] = [], naive: [String] = []
            for step in 0..<60 {
                let index = Int((random.next() + 1) * 2.5) % Self.stack.count
                if random.next() < 0 {
                    // An ancestor's availability changes.
                    let resource = Self.stack[index]
                    if down.contains(resource) {
                        down.remove(resource)
                        for (alert, holder) in open.sorted(by: { $0.key < $1.key }) {
                            guard let holder else { continue }
                            let next = TopologySuppression.rehold(holder: holder, ancestors: Self.ancestors(alert), openAvailability: down)
                            open[alert] = .some(next)
                            if next == nil { told.append("\(step):\(alert)") }
                        }
                    } else {
                        down.insert(resource)
                    }
                } else if open[index] != nil {
                    open[index] = nil
                    naiveOpen.remove(index)
                    naiveTold.remove(index)
                } else {
                    let holder = TopologySuppression.holder(ancestors: Self.ancestors(index), openAvailability: down)
                    open[index] = .some(holder)
                    if holder == nil { told.append("\(step):\(index)") }
                    naiveOpen.insert(index)
                }
                for alert in naiveOpen.sorted() where !naiveTold.contains(alert) && Self.ancestors(alert).allSatisfy({ !down.contains($0) }) {
                    naiveTold.insert(alert)
                    naive.append("\(step):\(alert)")
                }
            }
            #expect(told == naive)
        }
    }
}
