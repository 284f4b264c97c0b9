/// One declared parameter of an action: its type and range. Values travel as text and are checked here, on the
/// server before a command is queued and again on the agent before it runs — never spliced into a shell: an agent
/// passes them as separate arguments or writes them to one cgroup file.
public struct ParameterSpec: Sendable, Equatable {
    /// What a value may be.
    public enum Kind: Sendable, Equatable {
        /// A whole number within the range.
        case integer(min: Int64, max: Int64)
        /// One of these words.
        case choice([String])
        /// A word of letters, digits and `._-` (a snapshot or script name), 1–`maxLength` characters, not starting with
        /// `-` or `.`.
        case name(maxLength: Int)
        /// Free text without control characters (a script's argument), at most `maxLength` bytes; passed as one
        /// argument, never through a shell.
        case text(maxLength: Int)
        /// A size in bytes within the range, given as a whole number with an optional binary suffix `K`, `M`, `G` or
        /// `T` (`512M` is 536870912); used as its number of bytes.
        case size(min: Int64, max: Int64)
    }

    public var name: String
    public var kind: Kind
    public var required: Bool
    public var summary: String

    /// A parameter.
    public init(_ name: String, _ kind: Kind, required: Bool = true, summary: String) {
        self.name = name
        self.kind = kind
        self.required = required
        self.summary = summary
    }

    /// The value as the action will use it, or why it cannot be.
    public func check(_ value: String) throws(ControlError) -> String {
        switch kind {
        case .integer(let min, let max):
            guard let number = Int64(value), number >= min, number <= max else {
                throw ControlError.badParameter(name, "must be a whole number from \(min) to \(max), not \"\(Self.shown(value))\"")
            }
            return String(number)
        case .choice(let choices):
            guard choices.contains(value) else {
                throw ControlError.badParameter(name, "must be one of \(choices.joined(separator: ", ")), not \"\(Self.shown(value))\"")
            }
            return value
        case .name(let maxLength):
            let allowed = value.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            }
            guard !value.isEmpty, value.utf8.count <= maxLength, allowed, !value.hasPrefix("-"), !value.hasPrefix("."), !value.contains("..") else {
                throw ControlError.badParameter(name, "must be 1–\(maxLength) letters, digits, '.', '_' or '-', not starting with '-' or '.', not \"\(Self.shown(value))\"")
            }
            return value
        case .text(let maxLength):
            guard value.utf8.count <= maxLength, value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7f }) else {
                throw ControlError.badParameter(name, "must be at most \(maxLength) bytes without control characters (newlines included)")
            }
            return value
        case .size(let min, let max):
            guard let bytes = Self.bytes(value) else {
                throw ControlError.badParameter(name, "must be a size: a whole number of bytes, or with K, M, G or T (512M), not \"\(Self.shown(value))\"")
            }
            guard bytes >= min, bytes <= max else {
                throw ControlError.badParameter(name, "must be from \(min) bytes (\(min >> 20) MiB) to \(max) bytes, not \(bytes) bytes")
            }
            return String(bytes)
        }
    }

    /// The bytes a size stands for (`64M` is 67108864), nil when it is not a size or passes `Int64.max`.
    public static func bytes(_ value: String) -> Int64? {
        var digits = Substring(value)
        var unit: Int64 = 1
        if let last = value.last, let shift = ["K": 10, "M": 20, "G": 30, "T": 40][String(last)] {
            digits = digits.dropLast()
            unit = 1 << shift
        }
        guard !digits.isEmpty, digits.utf8.count <= 19, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let number = Int64(digits) else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : bytes
    }

    /// A value as an error message may quote it: control characters escaped, at most 64 characters.
    static func shown(_ value: String) -> String {
        var text = ""
        for scalar in value.unicodeScalars.prefix(64) {
            text += scalar.value < 0x20 || scalar.value == 0x7f ? "\\u{\(String(scalar.value, radix: 16))}" : String(scalar)
        }
        return value.unicodeScalars.count > 64 ? text + "…" : text
    }
}

/// Why a control request cannot be carried out, in words a user can act on.
public enum ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownAction(String, available: [String])
    case badParameter(String, String)
    case unknownParameter(String, allowed: [String])
    case missingParameter(String)
    /// More parameters than any request may give (`ActionCatalog.maxParameters`).
    case tooManyParameters(Int, max: Int)
    /// No kind of resource offers the action.
    case offeredNowhere(String)

    public var description: String {
        switch self {
        case .unknownAction(let action, let available):
            return "no action \"\(ParameterSpec.shown(action))\" here; available: \(available.isEmpty ? "none" : available.joined(separator: ", "))"
        case .badParameter(let name, let reason): return "parameter \(name) \(reason)"
        case .unknownParameter(let name, let allowed):
            return "unknown parameter \"\(ParameterSpec.shown(name))\"; this action takes \(allowed.isEmpty ? "none" : allowed.joined(separator: ", "))"
        case .missingParameter(let name): return "parameter \(name) is required"
        case .tooManyParameters(let given, let max): return "\(given) parameters; a request takes at most \(max) parameters"
        case .offeredNowhere(let action): return "no resource offers an action \"\(ParameterSpec.shown(action))\"; GET /api/v1/resources/{id}/actions lists a resource's"
        }
    }
}
