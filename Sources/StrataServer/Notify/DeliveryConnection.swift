import NIOCore
import NIOPosix
import NIOSSL

/// One TCP connection for one delivery attempt, closed at the attempt's deadline whatever the peer does.
///
/// Every read and write of a delivery goes through a `NIOAsyncChannel` opened here. A watchdog on the
/// channel's event loop closes it at `deadline`, which ends any pending read or write, so a peer that
/// accepts and never answers, or trickles bytes, cannot hold the caller past the deadline. The connect
/// itself is bounded by the time left.
enum DeliveryConnection {
    /// Connects to `host:port`, wraps the connection in TLS first when `tls` is given, lets `configure` add
    /// the protocol's handlers, and arms the deadline watchdog.
    static func open<Inbound: Sendable, Outbound: Sendable>(
        host: String, port: Int, deadline: NIODeadline, tls: NIOSSLContext? = nil,
        configure: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void = { _ in }
    ) async throws -> NIOAsyncChannel<Inbound, Outbound> {
        let remaining = deadline - .now()
        guard remaining > .zero else { throw ChannelError.connectTimeout(.zero) }
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(remaining)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: sniHostname(host)))
                    }
                    try configure(channel.pipeline.syncOperations)
                    return try NIOAsyncChannel<Inbound, Outbound>(wrappingChannelSynchronously: channel)
                }
            }
        let watchdog = channel.channel.eventLoop.scheduleTask(deadline: deadline) { [channel = channel.channel] in
            channel.close(promise: nil)
        }
        channel.channel.closeFuture.whenComplete { _ in watchdog.cancel() }
        return channel
    }

    /// Wraps an open plain connection in TLS (SMTP's STARTTLS): the TLS handler goes first in the pipeline,
    /// so every byte read or written from now on is encrypted; the handshake runs before the next write.
    static func startTLS(on channel: any Channel, context: NIOSSLContext, host: String) async throws {
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(
                NIOSSLClientHandler(context: context, serverHostname: sniHostname(host)), position: .first)
        }.get()
    }

    /// Why a write to the connection failed. A write on a channel that has just closed fails with a bare
    /// "closed" error, while what closed it — a failed TLS handshake, say — was delivered to the inbound
    /// stream; this reads the stream to its end (the channel is closing, and the watchdog bounds the wait)
    /// and returns the error found there, or `writeError` when there is none.
    static func reason<Inbound>(for writeError: any Error,
                                in inbound: inout NIOAsyncChannelInboundStream<Inbound>.AsyncIterator) async -> any Error {
        do {
            while try await inbound.next() != nil {}
        } catch {
            return error
        }
        return writeError
    }

    /// A TLS client context trusting the system's CAs, or only those in the PEM file `caFile`. TLS 1.2 or
    /// newer; the certificate is checked against the host name (or IP address) connected to. A short
    /// shutdown timeout keeps a peer that never answers close_notify from delaying the caller.
    static func tlsContext(caFile: String?) throws(DeliveryError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.shutdownTimeout = .milliseconds(200)
        do {
            if let caFile {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .invalidTarget("cannot use caFile \(caFile ?? "(system trust store)") as TLS trust roots: \(error); give a readable PEM file of CA certificates")
        }
    }

    /// The name to send as TLS SNI: the host, or nil for an IP address (SNI carries names only; the
    /// certificate is then checked against the address).
    static func sniHostname(_ host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}

extension Duration {
    /// This duration as NIO's `TimeAmount`, in nanoseconds.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
