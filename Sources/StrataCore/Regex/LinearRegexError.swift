/// A regular expression that `LinearRegex` cannot compile: a syntax error, a construct RE2 does not
/// support (backreferences, lookaround, possessive quantifiers), or a pattern beyond `LinearRegex.Limits`.
///
/// `message` names what is wrong and quotes the offending text; `offset` is where it starts.
public struct LinearRegexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the user (for example "backreferences are not supported: `\1`").
    public var message: String
    /// Character offset (0-based, in `Character`s) in the pattern where the problem starts.
    public var offset: Int

    /// An error with `message` at character `offset` of the pattern.
    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// The message followed by the 1-based position, as `SelectorError` prints it.
    public var description: String { "\(message) (at character \(offset + 1))" }
}
