/// Shapes of names and secrets accepted by the access APIs.
enum Validation {
    /// A user name: 1 to 64 of letters, digits, `.`, `_`, `-` (no `@`, which separates the tenant in logins).
    static func username(_ text: String) throws -> String {
        guard (1...64).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw APIError.badData("username must be 1 to 64 letters, digits, '.', '_' or '-'")
        }
        return text
    }

    /// A tenant id: 1 to 32 lowercase letters, digits or `-`, starting with a letter.
    static func tenantID(_ text: String) throws -> String {
        guard (1...32).contains(text.count), text.first?.isLetter == true,
              text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
            throw APIError.badData("tenant id must be 1 to 32 lowercase letters, digits or '-', starting with a letter")
        }
        return text
    }

    /// A new password: at least 10 characters, at most 200.
    static func password(_ text: String) throws -> String {
        guard (10...200).contains(text.count) else { throw APIError.badData("password must be 10 to 200 characters") }
        return text
    }

    /// A role name.
    static func role(_ text: String) throws -> Role {
        guard let role = Role(rawValue: text) else {
            throw APIError.badData("role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return role
    }
}

import StrataCatalog
