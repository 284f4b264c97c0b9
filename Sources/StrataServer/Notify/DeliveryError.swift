/// Why one delivery attempt failed, and whether trying again later can help.
///
/// `retryable` is true for what may pass (timeouts, refused or reset connections, HTTP 408/429/5xx, SMTP
/// 4xx) and false for what will fail the same way until someone changes the target or the receiver
/// (other HTTP 4xx, SMTP 5xx, an invalid URL or address, a server without STARTTLS). `message` says what
/// happened and names the host, never credentials or a full URL (webhook URLs often carry a token).
public struct DeliveryError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Whether a later attempt may succeed; when false the delivery should be recorded as failed now.
    public var retryable: Bool
    /// What went wrong, for the delivery log and the user.
    public var message: String
    /// The HTTP status or SMTP reply code the receiver answered with, when it answered.
    public var status: Int?

    /// Creates an error; see the properties.
    public init(retryable: Bool, message: String, status: Int? = nil) {
        self.retryable = retryable
        self.message = message
        self.status = status
    }

    /// The message.
    public var description: String { message }

    /// A problem with the target itself (URL, address, option): retrying cannot help.
    static func invalidTarget(_ message: String) -> DeliveryError {
        DeliveryError(retryable: false, message: message)
    }
}
