import Crypto
import Foundation
import HummingbirdBcrypt

/// Hashing and generation of passwords and tokens.
///
/// Passwords are bcrypt-hashed. Tokens are long random strings, so a SHA-256 of them is enough at rest
/// and lets a request be authenticated with one indexed lookup.
public enum Secrets {
    /// bcrypt cost for new password hashes.
    public static let bcryptCost: UInt8 = 10

    /// A bcrypt hash of `password`.
    public static func hashPassword(_ password: String) -> String {
        Bcrypt.hash(password, cost: bcryptCost)
    }

    /// Whether `password` matches a bcrypt `hash`.
    public static func verifyPassword(_ password: String, hash: String) -> Bool {
        Bcrypt.verify(password, hash: hash)
    }

    /// SHA-256 of a token, as lowercase hex.
    public static func hashToken(_ token: String) -> String {
        sha256Hex(Array(token.utf8))
    }

    /// SHA-256 of `bytes`, as lowercase hex (tokens at rest, certificate fingerprints).
    public static func sha256Hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: bytes) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// A random token with a readable prefix, e.g. `sat_…` (agent) or `sk_…` (API), 160 bits of entropy.
    public static func newToken(prefix: String) -> String {
        prefix + "_" + randomText(length: 32)
    }

    /// Random text from an unambiguous alphabet.
    public static func randomText(length: Int) -> String {
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
