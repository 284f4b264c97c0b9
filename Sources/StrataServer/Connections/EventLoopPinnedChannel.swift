import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// Serves each connection in a task that prefers the connection's own event loop (`EventLoopTaskExecutor`).
struct EventLoopPinnedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1.1, with TLS when `tls` is given, each connection served on its event loop; a connection that completes
    /// no part of a request for `idleTimeout`, idle or while its request is still arriving, is closed.
    static func pinnedHTTP1(tls: TLSConfiguration?, idleTimeout: TimeAmount) -> HTTPServerBuilder {
        .init { responder in
            let plain = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout))
            guard let tls else { return EventLoopPinnedChannel(base: plain) }
            return EventLoopPinnedChannel(base: try TLSChannel(plain, tlsConfiguration: tls))
        }
    }
}
