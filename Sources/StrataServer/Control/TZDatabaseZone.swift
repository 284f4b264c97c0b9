import Foundation
import StrataControl

/// A tz database zone as `ZoneOffsets`, named as the tz database names it (`Europe/Berlin`, `Etc/GMT-5`, `UTC`): a
/// zone file under /usr/share/zoneinfo, read through Foundation. Foundation alone also takes forms of its own such as
/// `GMT+5` (which the tz database spells `Etc/GMT-5`, the sign reversed) — easily confused, so refused.
struct TZDatabaseZone: ZoneOffsets {
    static let directory = "/usr/share/zoneinfo"
    /// Whether the tz database is there (the `tzdata` package).
    static var installed: Bool { FileManager.default.fileExists(atPath: directory + "/Etc/UTC") }

    let zone: TimeZone

    /// The zone called `identifier`, or nil unless the tz database has a zone by that name (UTC always).
    init?(_ identifier: String) {
        guard identifier == "UTC" || (Self.isName(identifier) && Self.hasZoneFile(identifier)), let zone = TimeZone(identifier: identifier) else {
            return nil
        }
        self.zone = zone
    }

    func secondsFromUTC(atMs: Int64) -> Int {
        zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(atMs) / 1_000))
    }

    /// Whether `identifier` is spelt as tz database names are: up to three parts separated by `/`, each an ASCII
    /// capital followed by letters, digits, `_`, `+` or `-` (which also keeps `..` and the `posix/`, `right/` copies out).
    static func isName(_ identifier: String) -> Bool {
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        guard identifier.utf8.count <= 64, (1...3).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            guard let first = part.utf8.first, (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) else { return false }
            return part.utf8.allSatisfy { byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "+")
                    || byte == UInt8(ascii: "-")
            }
        }
    }

    /// Whether the tz database has a zone file by this name.
    static func hasZoneFile(_ identifier: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory + "/" + identifier, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
