import HTTPTypes
import Hummingbird

/// Decides where a request is handled. Each connection is served on its event loop (`EventLoopPinnedChannel`);
/// a request stays there only when its route was registered to (`SecuredGroup.postOnEventLoop`: remote write and
/// OTLP, whose work is a decode, one engine turn and a wait) and its declared body is at most
/// `maxOnLoopBodyBytes`. Every other request — queries, the UI, imports, agent batches, a chunked or large body —
/// runs on Swift's global pool, and so does a streamed answer's body, so a long query or a large decode never holds
/// up the other connections that share its loop.
struct ExecutorPlacementMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable
    let maxOnLoopBodyBytes: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if staysOnLoop(request) { return try await next(request, context) }
        var response = try await withTaskExecutorPreference(globalConcurrentExecutor) { try await next(request, context) }
        if response.body.contentLength == nil {
            // A streamed body is written after this returns, on the loop, unless it says otherwise.
            let body = response.body
            response.body = ResponseBody { writer in
                try await withTaskExecutorPreference(globalConcurrentExecutor) { try await body.write(writer) }
            }
        }
        return response
    }

    private func staysOnLoop(_ request: Request) -> Bool {
        guard let declared = request.headers[.contentLength], let length = Int(declared), length <= maxOnLoopBodyBytes
        else { return false }
        return routes.mayRunOnEventLoop(request.uri.path)
    }
}
