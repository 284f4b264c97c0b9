extension API {
    /// When a recurring silence (a maintenance window) is in force: on each of `days` (`mon` … `sun`; absent: every
    /// day) from `start` (`HH:MM`, local) for `duration` (at most `7d`), local time being `timezone`: `UTC` (the
    /// default) or a fixed offset such as `+01:00` (no daylight saving). A window may run past midnight.
    public struct SilenceRecurrence: Codable, Sendable, Equatable {
        public var days: [String]?
        public var start: String
        public var duration: String
        public var timezone: String?

        public init(days: [String]? = nil, start: String, duration: String, timezone: String? = nil) {
            self.days = days
            self.start = start
            self.duration = duration
            self.timezone = timezone
        }
    }
}
