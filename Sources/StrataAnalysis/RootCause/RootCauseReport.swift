/// The answer of the root-cause ranking: the symptom's onset, candidate causes ranked, the series that only echo
/// the symptom, and what to do about the first cause.
public struct RootCauseReport: Sendable, Hashable {
    /// One piece of evidence against a candidate.
    public struct Evidence: Sendable, Hashable {
        /// Which kind of reasoning found it.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// The candidate's changes move with the symptom's and it became unusual first.
            case correlation
            /// A memory leak attributed to the candidate's workload.
            case leak
            /// The candidate ran out (or nearly) of a capacity.
            case exhaustion
            /// A recorded change on the candidate, after which the symptom shifted.
            case change
        }

        /// The kind.
        public var kind: Kind
        /// The metric or change it rests on.
        public var subject: String
        /// 0…1, before distance and precedence.
        public var strength: Double
        /// Correlation with the symptom (or with the workload, for a leak), when measured.
        public var correlation: Double?
        /// How long before the symptom's onset it began (ms; negative: after).
        public var leadMs: Int64?
        /// When a leaking memory or a filling capacity is expected to reach its limit (ms), when known.
        public var exhaustionMs: Int64?
        /// One sentence with the numbers.
        public var sentence: String
    }

    /// One candidate cause: a resource with its evidence.
    public struct Finding: Sendable, Hashable {
        /// The resource.
        public var resourceID: String, resourceName: String, resourceKind: String
        /// How it relates to the symptom's resource.
        public var relation: String
        /// Hops from the symptom's resource.
        public var distance: Int
        /// 0…1: the evidence combined, weighed by distance and precedence.
        public var score: Double
        /// Its evidence, strongest first.
        public var evidence: [Evidence]
        /// The strongest evidence's sentence.
        public var explanation: String { evidence.first?.sentence ?? "" }
    }

    /// When the symptom became unusual (the window's start when it never clearly did).
    public var symptomOnsetMs: Int64
    /// Candidate causes, most likely first.
    public var findings: [Finding]
    /// Series that move exactly with the symptom (the same thing seen from another layer), not causes.
    public var echoes: [String]
    /// What to do about the first finding, in one sentence; nil when nothing stands out.
    public var recommendation: String?
}
