import Synchronization
import StrataCore

/// Maps the raw protobuf bytes of a remote-written series' labels to its series id without decoding them,
/// after the first time. Senders repeat the same label bytes for a series in every request, so the steady
/// state is one hash and one byte comparison per series instead of string decoding, sorting and hashing.
///
/// Invariant: an entry's `bytes` are exactly the label messages it was computed from, compared in full on
/// every hit, so a hash collision can only cost a slow path, never a wrong id.
final class SeriesResolver: Sendable {
    struct Entry: Sendable {
        var tenant: String
        var hash: UInt64
        var bytes: [UInt8]
        var id: StableID
    }

    /// What a lookup found.
    enum Resolution {
        /// The series is known (its labels are registered with the engine): its id.
        case known(StableID)
        /// First sight: its id and labels, and the entry to `remember` once the engine has them.
        case new(StableID, Labels, Entry)
    }

    private let entries = Mutex<[UInt64: Entry]>([:])
    private let capacity: Int

    init(capacity: Int = 2_000_000) { self.capacity = capacity }

    /// Resolves the concatenated label messages `labelBytes` of a series in `tenant`.
    func resolve(tenant: String, labelBytes: ArraySlice<UInt8>) throws(RemoteWriteRequest.DecodeError) -> Resolution {
        let hash = Self.hash(labelBytes, tenant: tenant)
        let hit: StableID? = entries.withLock { entries in
            guard let entry = entries[hash], entry.tenant == tenant, entry.bytes.elementsEqual(labelBytes) else { return nil }
            return entry.id
        }
        if let hit { return .known(hit) }
        let labels = try Self.decodeLabels(labelBytes)
        let id = RemoteWriteRoutes.seriesID(tenant: tenant, labels: labels)
        return .new(id, labels, Entry(tenant: tenant, hash: hash, bytes: Array(labelBytes), id: id))
    }

    /// Remembers entries whose series the engine has now registered (their append succeeded), so a series
    /// first seen in a rejected request is resolved the slow way again and its labels are not lost.
    func remember(_ new: [Entry]) {
        guard !new.isEmpty else { return }
        entries.withLock { entries in
            if entries.count + new.count > capacity { entries.removeAll(keepingCapacity: true) }
            for entry in new { entries[entry.hash] = entry }
        }
    }

    /// Decodes label messages, refusing a name given twice (as Prometheus does).
    static func decodeLabels(_ bytes: ArraySlice<UInt8>) throws(RemoteWriteRequest.DecodeError) -> Labels {
        var reader = ProtoReader(bytes: bytes)
        var labels: [Label] = []
        while let (_, wire) = try reader.nextKey() {
            guard wire == 2 else { try reader.skip(wire); continue }
            labels.append(try RemoteWriteRequest.decodeLabel(try reader.lengthDelimited()))
        }
        var seen = Set<String>()
        for label in labels where !seen.insert(label.name).inserted {
            throw RemoteWriteRequest.DecodeError(description: "label name \"\(label.name)\" is not unique: invalid sample", duplicateLabel: true)
        }
        return Labels(labels)
    }

    /// FNV-1a over the tenant and the bytes.
    static func hash(_ bytes: ArraySlice<UInt8>, tenant: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in tenant.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash = (hash ^ 0xff) &* 0x0000_0100_0000_01b3
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        return hash
    }
}
