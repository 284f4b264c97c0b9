extension API {
    /// One step of a definition's escalation chain (docs/alerting.md, "Escalation"): `after` the alert started firing,
    /// while it is still firing and unacknowledged, `notify` is told; with `repeat`, again every `repeat`, `times`
    /// sends in all. `after` and `repeat` are durations (`15m`, `1h`).
    public struct EscalationStep: Codable, Sendable, Equatable {
        /// How long after the firing transition the first send goes.
        public var after: String
        /// Targets, in the same shape as the definition's `notify`.
        public var notify: [NotifyTarget]
        /// Between sends (needed when `times` is more than 1).
        public var repeatEvery: String?
        /// Sends in all, 1 (default) to 100.
        public var times: Int?

        enum CodingKeys: String, CodingKey {
            case after, notify
            case repeatEvery = "repeat"
            case times
        }

        public init(after: String, notify: [NotifyTarget], repeatEvery: String? = nil, times: Int? = nil) {
            self.after = after
            self.notify = notify
            self.repeatEvery = repeatEvery
            self.times = times
        }
    }
}
