import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer
@testable import StrataWire

/// A field given twice in one JSON object is refused by name, at any depth, on every route that reads its body
/// strictly — JSON leaves the meaning of a repeated name open, so whichever copy a reader keeps, another may not.
@Suite struct StrictJSONDuplicateKeyTests {
    static func refusal(_ json: String) -> String? {
        do {
            _ = try JSONBody.decode([String: JSONValue].self, from: Array(json.utf8), allowedFields: ["a", "b", "x", "target"], example: "{}")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aRepeatedNameIsRefusedWithItsPath() {
        #expect(Self.refusal(#"{"a": 1, "a": 2}"#)?.contains(#"duplicate field "a""#) == true)
        #expect(Self.refusal(#"{"a": 1, "\u0061": 2}"#)?.contains(#"duplicate field "a""#) == true, "escapes name the same field")
        #expect(Self.refusal(#"{"target": {"kind": "server", "kind": "vm"}}"#)?.contains(#"duplicate field "target.kind""#) == true)
        #expect(Self.refusal(#"{"x": [{"a": 1}, {"b": 1, "b": 2}]}"#)?.contains(#"duplicate field "x[1].b""#) == true)
        #expect(Self.refusal(#"{"x": [{"a": 1}, {"a": 2}], "a": {"a": {"a": 1}}}"#) == nil, "the same name in different objects")
        #expect(Self.refusal(#"{"a": "}{\"a\":", "b": "\\", "x": ["a", "a"]}"#) == nil, "names inside strings and arrays are values")
        #expect(Self.refusal(#"{"a": "caf\u00e9", "b": 1}"#) == nil)
        #expect(Self.refusal("{\"a\u{301}\": 1, \"\u{e1}\": 2}")?.contains("duplicate field") == true, "as Swift compares names")
    }

    /// Defect: `{"target": {...}, "target": {...}}` was read as the first target.
    @Test func routesRefuseARepeatedField() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let cases = [
                ("/api/v1/control/group-runs", #"{"target": {"kind": "vm"}, "target": {"kind": "server"}, "action": "reload", "dryRun": true}"#, "target"),
                ("/api/v1/control/group-runs", #"{"target": {"kind": "server", "kind": "vm"}, "action": "reload", "dryRun": true}"#, "target.kind"),
                ("/api/v1/users", #"{"username": "ana", "password": "ana-password-1", "role": "viewer", "role": "admin"}"#, "role"),
            ]
            for (path, body, field) in cases {
                let response = try await post(client, path, body, ServerHarness.adminBasic)
                #expect(response.status == .badRequest, "\(body): \(String(buffer: response.body))")
                #expect((response.json["error"] as? String)?.contains(#"duplicate field "\#(field)""#) == true, "\(String(buffer: response.body))")
            }
        }
    }
}

/// Any JSON value, to decode test bodies without a schema.
enum JSONValue: Decodable {
    case value

    init(from decoder: Decoder) throws { self = .value }
}
