import Foundation

/// A server resource's type (`nginx`, `tomcat`, …) from its stored properties' `type` field.
enum ServerType {
    static func of(propertiesJSON: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(propertiesJSON.utf8)) as? [String: Any] else { return nil }
        return object["type"] as? String
    }
}
