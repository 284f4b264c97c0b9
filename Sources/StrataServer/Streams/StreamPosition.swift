/// The id of a sample-stream event, `EPOCH-SEQUENCE`: the batch's sequence number within its tenant, and the epoch
/// of the server process that numbered it (its start, Unix ms), so an id from before a restart is recognised as
/// such instead of being mistaken for a position in the new numbering.
struct StreamPosition: Sendable, Hashable, LosslessStringConvertible {
    /// The numbering's epoch.
    var epoch: Int64
    /// The batch's sequence number within its tenant, from 1.
    var sequence: UInt64

    init(epoch: Int64, sequence: UInt64) {
        self.epoch = epoch
        self.sequence = sequence
    }

    /// Parses `EPOCH-SEQUENCE`; nil for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let epoch = Int64(parts[0]), epoch >= 0, let sequence = UInt64(parts[1]) else { return nil }
        self.init(epoch: epoch, sequence: sequence)
    }

    var description: String { "\(epoch)-\(sequence)" }
}
