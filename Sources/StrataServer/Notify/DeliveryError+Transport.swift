import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DeliveryError {
    /// What a connection-level failure means for the user: a timeout or a refused, reset or unreachable
    /// peer may pass (retryable); a TLS failure (untrusted certificate, wrong name) or a peer that does not
    /// speak the protocol needs someone to fix the target (not retryable).
    ///
    /// - Parameters:
    ///   - error: what NIO or NIOSSL threw.
    ///   - authority: `host:port`, the only part of the target named.
    ///   - step: what was under way (`connecting`, `waiting for the response`, `RCPT TO`), for the message.
    ///   - deadline: the attempt's deadline; once it has passed, every failure is reported as the timeout
    ///     (the watchdog closing the channel is what surfaced it).
    ///   - timeout: the attempt's time limit, for the message.
    static func transport(_ error: any Error, authority: String, step: String, deadline: NIODeadline,
                          timeout: Duration) -> DeliveryError {
        if let error = error as? DeliveryError { return error }
        if NIODeadline.now() >= deadline {
            return DeliveryError(retryable: true, message: "timed out after \(timeout) \(step) (\(authority))")
        }
        switch error {
        case ChannelError.connectTimeout:
            return DeliveryError(retryable: true, message: "timed out after \(timeout) connecting to \(authority)")
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError, error.connectionErrors.isEmpty {
                return DeliveryError(retryable: true, message: "cannot resolve \(error.host): \(dns)")
            }
            let reason = error.connectionErrors.first.map { reasonText($0.error) } ?? "no address to connect to"
            return DeliveryError(retryable: true, message: "cannot connect to \(authority): \(reason)")
        case is NIOSSLError, is BoringSSLError, is NIOSSLExtraError:
            return DeliveryError(retryable: false, message: "TLS with \(authority) failed \(step): \(error); check the server's certificate and the trusted CAs (caFile)")
        case is HTTPParserError:
            return DeliveryError(retryable: false, message: "\(authority) did not answer with valid HTTP \(step): \(error)")
        default:
            return DeliveryError(retryable: true, message: "connection to \(authority) failed \(step): \(reasonText(error))")
        }
    }

    /// A short reason for a socket error (`connection refused`), or the error's own description.
    private static func reasonText(_ error: any Error) -> String {
        switch error {
        case let error as IOError:
            switch error.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by peer"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            default: return String(describing: error)
            }
        case ChannelError.eof, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed:
            return "the server closed the connection"
        default:
            return String(describing: error)
        }
    }
}
