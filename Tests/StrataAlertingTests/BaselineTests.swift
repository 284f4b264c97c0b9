import Testing
@testable import StrataAlerting
import StrataCore

@Suite struct BaselineTests {
    /// Monday 2027-01-04 00:00 UTC.
    static let monday: Int64 = 1_799_020_800_000
    static let hour: Int64 = 3_600_000
    static let week: Int64 = 7 * 24 * 3_600_000

    /// A metric with a daily cycle that is busier on weekdays than at the weekend, plus ±5 of noise: the kind of
    /// weekly pattern a baseline must learn and then leave alone.
    static func usual(_ timestampMs: Int64, noise: inout TrendTests.SeededNoise) -> Double {
        let hours = (timestampMs - monday) / hour
        let hourOfDay = Double(hours % 24)
        let weekday = (hours / 24) % 7
        let level = weekday < 5 ? 100.0 : 40.0
        let daily = hourOfDay >= 9 && hourOfDay < 18 ? 60.0 : 0.0
        return level + daily + noise.next() * 5
    }

    /// Every sample of `weeks` weeks at `stepMs`, from `monday`, through the condition and a lifecycle with a 10 min
    /// `for`; returns the profile and the transitions after the learning weeks.
    static func run(weeks: Int, learning: Int, stepMs: Int64 = 300_000, condition: BaselineCondition,
                    anomaly: (Int64) -> Double? = { _ in nil }) -> (profile: BaselineProfile, fired: [Int64]) {
        var noise = TrendTests.SeededNoise(seed: 7)
        var profile = BaselineProfile(season: condition.season, utcOffsetMs: condition.utcOffsetMs)
        var lifecycle = AlertLifecycle()
        let policy = LifecyclePolicy(forMs: 600_000)
        var fired: [Int64] = []
        var time = monday
        while time < monday + Int64(weeks) * week {
            let value = anomaly(time) ?? usual(time, noise: &noise)
            let expectation = profile.expectation(atMs: time)
            profile.add(timestampMs: time, value: value)
            if time >= monday + Int64(learning) * week, let expectation, expectation.seasons >= condition.minSeasons {
                let active = condition.holds(score: condition.score(value, expectation))
                fired += lifecycle.observe(active: active, value: value, atMs: time, policy: policy).filter { $0.to == .firing }.map(\.atMs)
            }
            time += stepMs
        }
        return (profile, fired)
    }

    @Test func aNormalWeeklyPatternNeverFires() {
        let result = Self.run(weeks: 6, learning: 2, condition: BaselineCondition(metric: "m"))
        #expect(result.fired.isEmpty, "fired at \(result.fired)")
        // Saturday 12:00 is expected to be quieter than Monday 12:00: the profile knows the weekday.
        let mondayNoon = result.profile.expectation(atMs: Self.monday + 6 * Self.week + 12 * Self.hour)
        let saturdayNoon = result.profile.expectation(atMs: Self.monday + 6 * Self.week + 5 * 24 * Self.hour + 12 * Self.hour)
        #expect(abs((mondayNoon?.median ?? 0) - 160) < 3)
        #expect(abs((saturdayNoon?.median ?? 0) - 100) < 3)
    }

    @Test func anInjectedAnomalyFiresWithinItsHour() throws {
        // Week 5, Wednesday 03:00–04:00: 130 where about 100 is usual (the night of a weekday).
        let start = Self.monday + 4 * Self.week + 2 * 24 * Self.hour + 3 * Self.hour
        let result = Self.run(weeks: 5, learning: 2, condition: BaselineCondition(metric: "m")) { time in
            time >= start && time < start + Self.hour ? 130 : nil
        }
        let fired = try #require(result.fired.first)
        #expect(result.fired.count == 1)
        #expect(fired >= start && fired <= start + 15 * 60_000, "fired \(fired - start) ms after the anomaly began")
    }

    @Test func whatIsUsualOnSaturdayIsUnusualOnAWeekday() {
        // Week 4, Monday 12:00–13:00 at Saturday's level (100 instead of 160).
        let start = Self.monday + 3 * Self.week + 12 * Self.hour
        let below = Self.run(weeks: 4, learning: 2, condition: BaselineCondition(metric: "m", direction: .below)) { time in
            time >= start && time < start + Self.hour ? 100 : nil
        }
        #expect(below.fired.count == 1)
        let above = Self.run(weeks: 4, learning: 2, condition: BaselineCondition(metric: "m", direction: .above)) { time in
            time >= start && time < start + Self.hour ? 100 : nil
        }
        #expect(above.fired.isEmpty, "a fall is not a rise")
    }

    @Test func aProfileYoungerThanItsMinimumHistoryJudgesNothing() {
        let start = Self.monday + Self.week + 2 * 24 * Self.hour
        let result = Self.run(weeks: 2, learning: 1, condition: BaselineCondition(metric: "m", minSeasons: 2)) { time in
            time >= start && time < start + 4 * Self.hour ? 1_000 : nil
        }
        #expect(result.fired.isEmpty, "one week of history is not two")
    }

    @Test func hoursAreThoseOfTheUTCOffset() {
        // With +02:00, 07:00 UTC is 09:00 local: busy hours start two hours earlier in UTC.
        var profile = BaselineProfile(season: .daily, utcOffsetMs: 2 * Self.hour)
        for day in 0..<3 {
            for hour in 0..<24 {
                let time = Self.monday + Int64(day * 24 + hour) * Self.hour
                let local = (hour + 2) % 24
                profile.add(timestampMs: time, value: local >= 9 && local < 18 ? 10 : 1)
            }
        }
        #expect(profile.expectation(atMs: Self.monday + 3 * 24 * Self.hour + 7 * Self.hour)?.median == 10)
        #expect(profile.expectation(atMs: Self.monday + 3 * 24 * Self.hour + 6 * Self.hour)?.median == 1)
    }

    @Test func hoursRecordedFromHistoryGiveTheSameExpectationAsTheSamples() {
        var online = BaselineProfile(season: .weekly)
        var seeded = BaselineProfile(season: .weekly)
        for week in 0..<3 {
            let base = Self.monday + Int64(week) * Self.week + 10 * Self.hour
            for minute in stride(from: 0, to: 60, by: 10) { online.add(timestampMs: base + Int64(minute) * 60_000, value: Double(50 + week)) }
            seeded.record(hourStartMs: base, mean: Double(50 + week), deviation: 0)
        }
        online.add(timestampMs: Self.monday + 3 * Self.week, value: 1)
        let at = Self.monday + 3 * Self.week + 10 * Self.hour
        #expect(online.expectation(atMs: at) == seeded.expectation(atMs: at))
        #expect(online.expectation(atMs: at)?.median == 51)
        #expect(online.expectation(atMs: at)?.seasons == 3)
    }

    @Test func extremeInputNeverTrapsAndIsNotLearned() {
        var profile = BaselineProfile(season: .weekly, utcOffsetMs: 14 * Self.hour)
        for time in [Int64.max, Int64.min, Int64.max - 1, 0, -1] {
            profile.add(timestampMs: time, value: .nan)
            profile.add(timestampMs: time, value: .infinity)
            profile.add(timestampMs: time, value: 1e308)
            _ = profile.expectation(atMs: time)
        }
        profile.record(hourStartMs: Int64.min, mean: 1, deviation: .nan)
        let condition = BaselineCondition(metric: "m", deviations: .nan, minSeasons: 1_000, minSpread: -1, utcOffsetMs: .max)
        #expect(condition.deviations == 3 && condition.minSeasons == BaselineProfile.keptSeasons && condition.minSpread == nil)
        #expect(condition.score(1, BaselineProfile.Expectation(median: 1, spread: 0, seasons: 3)) == 0)
    }

    @Test func onlyTheLastKeptSeasonsCount() {
        var profile = BaselineProfile(season: .daily)
        // Ten days at 10:00: 1, 2, …, 10; a daily profile keeps 8, so the 11th day expects the median of 3…10.
        for day in 0..<10 {
            profile.add(timestampMs: Self.monday + Int64(day) * 24 * Self.hour + 10 * Self.hour, value: Double(day + 1))
            profile.add(timestampMs: Self.monday + Int64(day) * 24 * Self.hour + 11 * Self.hour, value: 0)
        }
        let expectation = profile.expectation(atMs: Self.monday + 10 * 24 * Self.hour + 10 * Self.hour)
        #expect(expectation?.seasons == 8)
        #expect(expectation?.median == 6.5)
    }
}

@Suite struct CompositeConditionTests {
    static let stack: [(id: String, kind: ResourceKind)] = [("tomcat", .server), ("guest", .platform), ("vm", .vm), ("kvm", .hypervisor),
                                                                       ("host", .platform)]

    @Test func layersResolveAlongTheStack() {
        #expect(CompositeCondition.Layer.own.resolve(Self.stack) == "tomcat")
        #expect(CompositeCondition.Layer.parent.resolve(Self.stack) == "guest")
        #expect(CompositeCondition.Layer.kind(.platform).resolve(Self.stack) == "guest")
        #expect(CompositeCondition.Layer.kind(.vm).resolve(Self.stack) == "vm")
        #expect(CompositeCondition.Layer.kind(.hypervisor).resolve(Self.stack) == "kvm")
        #expect(CompositeCondition.Layer.host.resolve(Self.stack) == "host")
        #expect(CompositeCondition.Layer.host.resolve(Array(Self.stack.prefix(2))) == nil, "a bare-metal platform has no host above it")
        #expect(CompositeCondition.Layer.kind(.container).resolve(Self.stack) == nil)
        #expect(CompositeCondition.Layer(name: "host") == .host && CompositeCondition.Layer(name: "vm") == .kind(.vm)
                && CompositeCondition.Layer(name: "self") == .own && CompositeCondition.Layer(name: "nope") == nil)
    }

    @Test func allNeedsEveryPartAndAnyOne() {
        let all = CompositeCondition(mode: .all, parts: [])
        let any = CompositeCondition(mode: .any, parts: [])
        #expect(all.holds([true, true]) && !all.holds([true, false]) && !all.holds([true, nil]) && !all.holds([]))
        #expect(any.holds([false, true]) && !any.holds([false, nil]) && !any.holds([]))
    }
}
