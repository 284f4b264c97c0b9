import Testing
import StrataCore

@Test func stableIDIsDeterministicAndSeparatesParts() {
    #expect(StableID(parts: ["a", "bc"]) == StableID(parts: ["a", "bc"]))
    #expect(StableID(parts: ["ab", "c"]) != StableID(parts: ["a", "bc"]))
    let id = StableID.resource(tenant: "default", kind: .platform, key: "machine-id:abc")
    #expect(id.description.count == 16)
    #expect(StableID(hex: id.description) == id)
    #expect(StableID(int64: id.int64) == id)
    #expect(StableID.resource(tenant: "other", kind: .platform, key: "machine-id:abc") != id)
}

@Test func seriesIDIgnoresLabelOrder() {
    let resource = StableID(parts: ["r"])
    let a = StableID.series(resource: resource, metric: "m", labels: Labels([Label("a", "1"), Label("b", "2")]))
    let b = StableID.series(resource: resource, metric: "m", labels: Labels([Label("b", "2"), Label("a", "1")]))
    #expect(a == b)
    #expect(a != StableID.series(resource: resource, metric: "m", labels: ["a": "1"]))
}

@Test func stableIDRejectsMalformedHex() {
    #expect(StableID(hex: "xyz") == nil)
    #expect(StableID(hex: "00000000000000000") == nil)
    #expect(StableID(hex: "+000000000000001") == nil || StableID(hex: "+000000000000001")?.rawValue == 1)
}

@Test func durationsParse() {
    #expect(DurationText.milliseconds("10s") == 10_000)
    #expect(DurationText.milliseconds("2s") == 2_000)
    #expect(DurationText.milliseconds("500ms") == 500)
    #expect(DurationText.milliseconds("1h30m") == 5_400_000)
    #expect(DurationText.milliseconds("10") == nil)
    #expect(DurationText.milliseconds("s") == nil)
    #expect(DurationText.milliseconds("0s") == nil)
    #expect(DurationText.milliseconds("3x") == nil)
    #expect(DurationText.milliseconds("-1s") == nil)
}

@Test func propertyJSONEscapes() {
    let value = PropertyValue.map([("name", .string("a\"b\\c\n")), ("n", .int(-3)), ("list", .list([.bool(false), .double(.infinity)]))])
    #expect(value.json == #"{"name":"a\"b\\c\n","n":-3,"list":[false,null]}"#)
}
