import Testing
@testable import StrataCore

/// Properties read back from the JSON the catalog stores.
struct PropertyJSONTests {
    @Test func propertiesRoundTripThroughTheirJSONWithKeyOrderAndNumberKinds() throws {
        let value = PropertyValue.map([
            ("name", .string("crm \"web\"\n\u{1F600}")), ("cpus", .int(-4)), ("load", .double(0.25)), ("tls", .bool(false)),
            ("nics", .list([.map([("mac", .string("52:54:00:0a:00:01"))]), .list([])])), ("empty", .map([])),
        ])
        #expect(try PropertyValue(json: value.json) == value)
        #expect(try PropertyValue(json: #" {"a" : [1, 2.5e3, "\u00e9\ud83d\ude00"], "b": null} "#)
            == .map([("a", .list([.int(1), .double(2500), .string("é😀")]))]), "null members are dropped")
        #expect(try PropertyValue(json: "18446744073709551616") == .double(18446744073709551616), "beyond Int64: a double")
    }

    @Test func malformedOrHostileJSONIsAnErrorNotACrash() {
        for text in ["", "{", "[1,", "{\"a\"}", "nul", "\"open", "1 2", "null", "{\"a\":1,}", "\"\\u12\"", "-", "1e999"] {
            #expect(throws: PropertyValue.JSONError.self, "\(text)") { try PropertyValue(json: text) }
        }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: PropertyValue.JSONError.self) { try PropertyValue(json: deep) }
    }
}
