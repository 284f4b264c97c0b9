import HTTPTypes
import Hummingbird
import Logging
import NIOHTTP1
import StrataWire

/// Turns every error into the JSON envelope: API errors keep their type, a query parameter out of its bounds
/// (`QueryString.Invalid`) and a body malformed at the HTTP layer (`HTTPParserError`) are 400 `bad_data`, framework errors keep their status, anything else is a 500 whose details go to the log, never to the client.
struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch var error as APIError {
            // A script's request (fetch, EventSource: Sec-Fetch-Mode cors or same-origin) gets no Basic challenge,
            // which would make the browser ask for a password over the web UI's own login form.
            if let mode = request.headers[HTTPField.Name("Sec-Fetch-Mode")!], mode != "navigate" { error.headers[.wwwAuthenticate] = nil }
            return try error.response(from: request, context: context)
        } catch let error as QueryString.Invalid {
            return Envelope.error(status: .badRequest, errorType: "bad_data", message: error.description)
        } catch let error as any HTTPResponseError {
            let type: String
            switch error.status.code {
            case 404: type = "not_found"
            case 405: type = "unsupported"
            case 413: type = "too_large"
            case 400..<500: type = "bad_data"
            default: type = "internal"
            }
            let message = error.status.code == 404 ? "no route for \(request.method) \(request.uri.path)" : error.status.reasonPhrase
            return Envelope.error(status: error.status, errorType: type, message: message)
        } catch let error as HTTPParserError {
            // A body broken at the HTTP layer (a bad chunk size, say) surfaces only when the handler reads it.
            return Envelope.error(status: .badRequest, errorType: "bad_data", message: "malformed HTTP request: \(error)")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return Envelope.error(status: .internalServerError, errorType: "internal",
                                  message: "internal error; the server log has the details")
        }
    }
}
