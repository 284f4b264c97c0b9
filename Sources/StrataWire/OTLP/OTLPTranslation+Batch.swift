import StrataCore

extension OTLPTranslation {
    /// Puts the series' samples into `batch` for `tenant`, resolving each label set through `resolver` — the one
    /// remote write uses — by the bytes remote write would send for it (sorted `Label` messages), so a series
    /// gets the same id (and cached engine ref) whichever of the two protocols wrote it. Labels of first-seen
    /// series are put in `batch.labels` and their entries in `newSeries`, to `remember` once committed.
    public func append(tenant: String, resolver: SeriesResolver, into batch: inout SampleBatch,
                       newSeries: inout [SeriesResolver.Entry]) throws(OTLPDecodeError) {
        guard !series.isEmpty else { return }
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(series.count)
        for item in series {
            let start = bytes.count
            for label in item.labels.pairs {
                let name = Array(label.name.utf8)
                let value = Array(label.value.utf8)
                var message = [0x0a] + OTLPResponse.varint(UInt64(name.count)) + name
                message += [0x12] + OTLPResponse.varint(UInt64(value.count)) + value
                bytes += [0x0a] + OTLPResponse.varint(UInt64(message.count)) + message
            }
            ranges.append(start..<bytes.count)
        }
        let outcome: Result<[SeriesResolver.Resolution], RemoteWriteRequest.DecodeError> = bytes.withUnsafeBytes { raw in
            let lookups = ranges.map { range in
                let slice = UnsafeRawBufferPointer(rebasing: raw[range])
                return SeriesResolver.Lookup(hash: resolver.hash(slice, tenant: tenant), bytes: slice)
            }
            do throws(RemoteWriteRequest.DecodeError) {
                return .success(try resolver.resolve(tenant: tenant, lookups))
            } catch {
                return .failure(error)
            }
        }
        let resolutions: [SeriesResolver.Resolution]
        switch outcome {
        case .success(let value): resolutions = value
        case .failure(let error): throw OTLPDecodeError(error.description)
        }
        for (item, resolution) in zip(series, resolutions) {
            switch resolution {
            case let .known(id, ref):
                for sample in item.samples { batch.append(id, sample.timestampMs, sample.value, hint: ref) }
            case let .new(id, labels, entry):
                batch.labels[id] = labels.setting(Labels.tenant, tenant)
                newSeries.append(entry)
                for sample in item.samples { batch.append(id, sample.timestampMs, sample.value) }
            }
        }
    }
}
