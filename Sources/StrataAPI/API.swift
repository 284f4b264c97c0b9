/// The REST API's request and response shapes, shared by the server (which encodes them), the CLI and the
/// tests (which decode them), and checked against `docs/openapi.yaml`. Times are Unix milliseconds; ids are
/// strings except where a number is the natural key (tokens, users, discoveries, events).
public enum API {
    /// Every answer: `{"status": "success", "data": …}` or `{"status": "error", "errorType": …, "error": …}`.
    public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
        /// `success` or `error`.
        public var status: String
        /// The answer, on success.
        public var data: Payload?
        /// One of a fixed set (`bad_data`, `unauthorized`, `forbidden`, `not_found`, `timeout`, …), on error.
        public var errorType: String?
        /// What went wrong and what to do, on error.
        public var error: String?

        /// A success.
        public init(data: Payload) {
            self.status = "success"
            self.data = data
        }
    }

    /// An acknowledgement of a removal (`{"id": …, "revoked": true}`).
    public struct Revoked: Codable, Sendable, Equatable {
        public var id: String
        public var revoked: Bool
        public init(id: String, revoked: Bool = true) {
            self.id = id
            self.revoked = revoked
        }
    }
}
