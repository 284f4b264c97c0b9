import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Testing
@testable import StrataServer

/// Where a request is handled on a live server built as `StrataServer.run` builds it (`EventLoopPinnedChannel`,
/// `ExecutorPlacementMiddleware`): only small requests to routes marked for the event loop stay on it.
struct ExecutorPlacementTests {
    /// "loop" when the code runs on an event loop thread, else "pool".
    static var place: String { MultiThreadedEventLoopGroup.currentEventLoop == nil ? "pool" : "loop" }

    static func app() -> some ApplicationProtocol {
        let routes = RouteTable()
        let router = Router()
        router.add(middleware: ExecutorPlacementMiddleware(routes: routes, maxOnLoopBodyBytes: 1024))
        for path in ["/ingest", "/other"] {
            router.post(RouterPath(path)) { request, _ -> String in
                _ = try await request.body.collect(upTo: 1 << 20)
                return place
            }
        }
        router.get("/streamed") { _, _ -> Response in
            Response(status: .ok, body: ResponseBody { writer in
                try await writer.write(ByteBuffer(string: place))
                try await writer.finish(nil)
            })
        }
        routes.allowOnEventLoop("/ingest")
        return Application(router: router, server: .pinnedHTTP1(tls: nil, idleTimeout: .seconds(60)))
    }

    static func post(_ client: any TestClientProtocol, _ path: String, bytes: Int) async throws -> String {
        let response = try await client.execute(uri: path, method: .post, body: ByteBuffer(repeating: 7, count: bytes))
        return String(buffer: response.body)
    }

    @Test func aSmallRequestToAnEventLoopRouteIsHandledOnItsConnectionsEventLoop() async throws {
        try await Self.app().test(.live) { (client: any TestClientProtocol) async throws in
            #expect(try await Self.post(client, "/ingest", bytes: 100) == "loop")
            #expect(try await Self.post(client, "/ingest", bytes: 1024) == "loop")
        }
    }

    @Test func otherRoutesLargeBodiesAndStreamedAnswersAreHandledOnTheGlobalPool() async throws {
        try await Self.app().test(.live) { (client: any TestClientProtocol) async throws in
            #expect(try await Self.post(client, "/other", bytes: 100) == "pool")
            #expect(try await Self.post(client, "/ingest", bytes: 1025) == "pool")
            let streamed = try await client.execute(uri: "/streamed", method: .get)
            #expect(String(buffer: streamed.body) == "pool")
        }
    }
}
