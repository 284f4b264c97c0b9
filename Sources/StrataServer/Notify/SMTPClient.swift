import NIOCore
import NIOSSL

/// Sends one email over SMTP within one deadline: connect, the conversation (`SMTPConversation`), close.
/// A server that stalls at any step is cut off at the deadline, and the error says which step it stalled at.
struct SMTPClient: Sendable {
    /// The server, credentials and recipients.
    var target: EmailTarget
    /// The whole session's time limit.
    var timeout: Duration

    /// Delivers `message` to every recipient of the target, or throws why not.
    func send(_ message: EmailMessage) async throws(DeliveryError) {
        try target.validate()
        let tls = target.tls == .starttls ? try DeliveryConnection.tlsContext(caFile: target.caFile) : nil
        let authority = "\(target.host):\(target.port)"
        let deadline = NIODeadline.now() + timeout.timeAmount
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await DeliveryConnection.open(host: target.host, port: target.port, deadline: deadline)
        } catch {
            throw .transport(error, authority: authority, step: "connecting", deadline: deadline, timeout: timeout)
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                var conversation = SMTPConversation(inbound: inbound, outbound: outbound, channel: channel.channel,
                                                    target: target, tls: tls)
                do {
                    try await conversation.run(message)
                } catch {
                    throw DeliveryError.transport(error, authority: authority, step: conversation.step,
                                                  deadline: deadline, timeout: timeout)
                }
            }
        } catch let error as DeliveryError {
            throw error
        } catch {
            throw .transport(error, authority: authority, step: "closing the connection", deadline: deadline, timeout: timeout)
        }
    }
}
