/// Locations of the recorded host trees under `Tests/StrataAgentTests/Fixtures/hosts`.
enum FixturePaths {
    static let hosts: String = {
        let file = #filePath
        let directory = file[..<file.lastIndex(of: "/")!]
        return directory + "/Fixtures/hosts"
    }()

    static func host(_ name: String) -> String { hosts + "/" + name }
}
