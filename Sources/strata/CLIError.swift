import ArgumentParser
import Foundation
import StrataServer

/// What stops a CLI command after its arguments were accepted: the server's refusal (with its message) or a
/// failure to reach it. Printed as `strata: MESSAGE` without the usage text, with an exit code per kind
/// (sysexits.h), so scripts can tell them apart:
/// 64 usage (ArgumentParser's own), 65 bad request, 66 not found, 69 server unreachable or broken,
/// 75 try again later (rate limit, timeout), 77 not allowed (credentials, permission), 1 no result.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    var description: String { message }

    /// The server answered `status` with an error envelope (`errorType`, `message`).
    static func refused(status: Int, errorType: String, message: String) -> CLIError {
        let code: Int32 = switch status {
        case 401, 403: 77
        case 404: 66
        case 429, 503, 504: 75
        case 400, 405, 409, 413, 415, 422: 65
        default: 69
        }
        return CLIError(message: "\(errorType): \(message)", exitCode: code)
    }

    /// The credentials given cannot be used (nothing sent).
    static func credentials(_ message: String) -> CLIError { CLIError(message: message, exitCode: 77) }

    /// The server could not be reached or did not answer as a Strata server.
    static func unreachable(_ message: String) -> CLIError { CLIError(message: message, exitCode: 69) }

    /// The server could not start: its address cannot be bound (69, unavailable) or its data directory used (73).
    static func serverStart(_ error: ServerStartError) -> CLIError {
        switch error {
        case .listen: CLIError(message: error.description, exitCode: 69)
        case .dataDirectory: CLIError(message: error.description, exitCode: 73)
        }
    }

    /// The request succeeded but found nothing (as grep exits 1).
    static func noResult(_ message: String) -> CLIError { CLIError(message: message, exitCode: 1) }
}

/// How the CLI authenticates: flags before the environment; a token and a user at once is a mistake, not a
/// silent choice.
enum CLICredentials {
    case token(String)
    case user(String, password: String)
    case none

    static func resolve(token: String?, user: String?, environment: [String: String]) throws -> CLICredentials {
        if token != nil && user != nil { throw CLIError.credentials("give either --token or --user, not both") }
        if let token, !token.isEmpty { return .token(token) }
        if let user { return try withPassword(user, environment: environment) }
        let environmentToken = environment["STRATA_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let environmentUser = environment["STRATA_USER"].flatMap { $0.isEmpty ? nil : $0 }
        if environmentToken != nil && environmentUser != nil {
            throw CLIError.credentials("both STRATA_TOKEN and STRATA_USER are set: unset one, or choose with --token or --user")
        }
        if let environmentToken { return .token(environmentToken) }
        if let environmentUser { return try withPassword(environmentUser, environment: environment) }
        return .none
    }

    private static func withPassword(_ user: String, environment: [String: String]) throws -> CLICredentials {
        guard let password = environment["STRATA_PASSWORD"], !password.isEmpty else {
            throw CLIError.credentials("no password for user \(user): set STRATA_PASSWORD (`. DATA/initial-credentials` sets both)")
        }
        return .user(user, password: password)
    }

    /// The Authorization header, if any.
    var header: (String, String)? {
        switch self {
        case .token(let token): return ("Authorization", "Bearer \(token)")
        case let .user(user, password): return ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        case .none: return nil
        }
    }
}
