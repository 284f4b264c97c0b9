import Testing
@testable import StrataWire

private func labelHash(_ bytes: [UInt8], tenant: String = "", seed: UInt64 = 7) -> UInt64 {
    bytes.withUnsafeBytes { SeriesResolver.hash($0, tenant: tenant, seed: seed) }
}

/// The label hash reads its input sixteen bytes at a time in two lanes, then eight, then the tail: a change to any
/// bit, in either lane or the tail, changes the hash, whatever the length.
@Test func aLabelHashChangesWithEveryBitOfItsInput() {
    var generator = SystemRandomNumberGenerator()
    for length in 1...72 {
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let original = labelHash(bytes)
        for index in 0..<length {
            for bit in 0..<8 {
                var flipped = bytes
                flipped[index] ^= 1 << bit
                #expect(labelHash(flipped) != original, "length \(length), byte \(index), bit \(bit)")
            }
        }
    }
}

/// The tenant, the seed and the length (a zero byte appended) each change the hash, and the per-request tenant key
/// gives the same hash as naming the tenant for each series.
@Test func aLabelHashDependsOnTenantSeedAndLengthAndItsTenantKeyAgrees() {
    let bytes = Array("\n\u{8}__name__\u{12}\u{2}up\n\u{3}job\u{12}\u{4}node".utf8)
    #expect(labelHash(bytes, tenant: "a") != labelHash(bytes, tenant: "b"))
    #expect(labelHash(bytes, seed: 1) != labelHash(bytes, seed: 2))
    #expect(labelHash(bytes) != labelHash(bytes + [0]))
    #expect(labelHash([]) != labelHash([0]))
    let key = SeriesResolver.tenantKey("team-a", seed: 99)
    let viaKey = bytes.withUnsafeBytes { SeriesResolver.hash($0, tenantKey: key) }
    #expect(viaKey == labelHash(bytes, tenant: "team-a", seed: 99))
    #expect(labelHash(bytes) & 1 == 1, "0 marks an empty slot, so every hash is odd")
}

/// The table is keyed by the hash's low 32 bits: over 100,000 series named like a scrape's (differing in a few
/// digits, in either lane), those tags collide about as often as random ones would (about 2.3 pairs expected).
@Test func labelHashTagsOfSimilarSeriesCollideNoMoreThanRandomOnes() {
    var tags = Set<UInt32>()
    var collisions = 0
    for index in 0..<100_000 {
        let address = "10.\(index >> 16).\(index >> 8 & 255).\(index & 255)"
        let labels = "__name__=node_cpu_seconds_total,cpu=\(index % 64),instance=\(address):9100,job=node,mode=idle"
        if !tags.insert(SeriesResolver.Slot.tag(labelHash(Array(labels.utf8)))).inserted { collisions += 1 }
    }
    #expect(collisions < 20)
}
