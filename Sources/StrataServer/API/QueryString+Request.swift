import Hummingbird
import StrataWire

extension QueryString {
    /// The query string of `request`. Its `Invalid` errors become 400 `bad_data` answers with their message in
    /// `ErrorEnvelopeMiddleware`.
    init(_ request: Request) {
        self.init(request.uri.query ?? "")
    }
}
