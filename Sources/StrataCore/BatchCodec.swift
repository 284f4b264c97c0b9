/// Encodes and decodes agent batches, protocol v1.
///
/// Wire body: magic `STRA`, protocol version (1), compression (0 none, 1 zlib), then the payload.
/// The payload layout is specified field by field in `docs/protocol.md`.
public enum BatchCodec {
    /// The newest protocol version this build speaks: 2 adds events and configuration snapshots after the
    /// series. A batch without either is encoded as version 1, which every server accepts.
    public static let protocolVersion: UInt8 = 2
    /// Magic bytes that open every body.
    public static let magic: [UInt8] = Array("STRA".utf8)
    /// Largest payload accepted after decompression (protects against compression bombs).
    public static let maxPayloadBytes = 64 << 20

    /// Compression applied to the payload.
    public enum Compression: UInt8, Sendable {
        case none = 0
        case zlib = 1
    }

    /// Encodes `batch` into a complete wire body.
    public static func encode(_ batch: AgentBatch, compression: Compression = .zlib) -> [UInt8] {
        let payload = encodePayload(batch)
        var body = magic
        body.append(batch.events.isEmpty && batch.configs.isEmpty ? 1 : 2)
        body.append(compression.rawValue)
        switch compression {
        case .none: body.append(contentsOf: payload)
        // Large payloads (log events) take the fastest level: 3x less CPU for a few percent more bytes.
        case .zlib: body.append(contentsOf: Zlib.compress(payload, level: payload.count > 64 << 10 ? 1 : 6))
        }
        return body
    }

    /// Decodes a complete wire body; throws a `DecodeError` that says what was wrong.
    public static func decode(_ body: [UInt8]) throws(DecodeError) -> AgentBatch {
        guard body.count >= 6 else { throw .truncated(offset: body.count, expecting: "header (6 bytes)") }
        guard Array(body[0..<4]) == magic else {
            throw .invalidValue(field: "magic", reason: "body does not start with STRA; is this a Strata agent batch?")
        }
        let version = body[4]
        guard version == 1 || version == 2 else {
            throw .invalidValue(field: "version", reason: "protocol version \(version) is not supported; this server speaks 1 and 2")
        }
        guard let compression = Compression(rawValue: body[5]) else {
            throw .invalidValue(field: "compression", reason: "unknown compression \(body[5])")
        }
        let rest = Array(body[6...])
        let payload: [UInt8]
        switch compression {
        case .none:
            guard rest.count <= maxPayloadBytes else {
                throw .invalidValue(field: "payload", reason: "larger than \(maxPayloadBytes) bytes")
            }
            payload = rest
        case .zlib:
            do {
                payload = try Zlib.decompress(rest, limit: maxPayloadBytes)
            } catch {
                throw .invalidValue(field: "payload", reason: "\(error)")
            }
        }
        return try decodePayload(payload, version: version)
    }

    static func encodePayload(_ batch: AgentBatch) -> [UInt8] {
        var w = BinaryWriter(capacity: 64 + batch.sampleCount * 12)
        w.write(string: batch.agentID)
        w.write(uvarint: batch.sequence)
        w.write(varint: batch.createdAtMs)
        w.write(uvarint: batch.intervalMs)
        w.write(string: batch.agentVersion)
        w.write(uvarint: UInt64(batch.resources.count))
        for resource in batch.resources {
            w.write(string: resource.kind.rawValue)
            w.write(string: resource.key)
            w.write(string: resource.name)
            w.write(uvarint: resource.parentIndex.map { UInt64($0) + 1 } ?? 0)
            if let properties = resource.properties {
                w.write(byte: 1)
                PropertyCodec.write(properties, to: &w)
            } else {
                w.write(byte: 0)
            }
        }
        w.write(uvarint: UInt64(batch.series.count))
        for series in batch.series {
            w.write(uvarint: UInt64(series.resourceIndex))
            w.write(string: series.metric)
            w.write(byte: series.type.rawValue)
            w.write(uvarint: UInt64(series.labels.pairs.count))
            for label in series.labels.pairs {
                w.write(string: label.name)
                w.write(string: label.value)
            }
            w.write(uvarint: UInt64(series.points.count))
            var previous: Int64 = 0
            for point in series.points {
                w.write(varint: point.timestampMs &- previous)
                previous = point.timestampMs
                w.write(double: point.value)
            }
        }
        guard !batch.events.isEmpty || !batch.configs.isEmpty else { return w.bytes }
        w.write(uvarint: UInt64(batch.events.count))
        for event in batch.events {
            w.write(uvarint: UInt64(event.resourceIndex))
            w.write(string: event.kind)
            w.write(varint: event.timeMs)
            w.write(byte: event.severity.rawValue)
            w.write(string: event.source)
            w.write(string: event.origin)
            w.write(string: event.message)
        }
        w.write(uvarint: UInt64(batch.configs.count))
        for config in batch.configs {
            w.write(uvarint: UInt64(config.resourceIndex))
            w.write(string: config.path)
            w.write(byte: config.state.rawValue)
            w.write(varint: config.observedMs)
            w.write(string: config.content)
        }
        return w.bytes
    }

    static func decodePayload(_ payload: [UInt8], version: UInt8) throws(DecodeError) -> AgentBatch {
        var r = BinaryReader(payload)
        let agentID = try r.readString("agentID")
        guard !agentID.isEmpty, agentID.utf8.count <= 128 else {
            throw .invalidValue(field: "agentID", reason: "must be 1 to 128 bytes")
        }
        let sequence = try r.readUVarint("sequence")
        guard sequence > 0 else { throw .invalidValue(field: "sequence", reason: "must start at 1") }
        guard sequence <= UInt64(Int64.max) else { throw .invalidValue(field: "sequence", reason: "must be below 2^63") }
        let createdAtMs = try r.readVarint("createdAtMs")
        let intervalMs = try r.readUVarint("intervalMs")
        guard intervalMs >= 100, intervalMs <= 86_400_000 else {
            throw .invalidValue(field: "intervalMs", reason: "\(intervalMs) is outside 100 ms to 24 h")
        }
        let agentVersion = try r.readString("agentVersion")

        let resourceCount = try r.readCount("resources", minimumElementSize: 5)
        var resources: [ResourceReport] = []
        resources.reserveCapacity(resourceCount)
        for index in 0..<resourceCount {
            let kindName = try r.readString("resource.kind")
            guard let kind = ResourceKind(rawValue: kindName) else {
                throw .invalidValue(field: "resources[\(index)].kind", reason: "unknown kind \"\(kindName)\"")
            }
            let key = try r.readString("resource.key")
            guard !key.isEmpty else { throw .invalidValue(field: "resources[\(index)].key", reason: "empty") }
            let name = try r.readString("resource.name")
            let parent = try r.readUVarint("resource.parent")
            var parentIndex: Int?
            if parent > 0 {
                guard parent <= UInt64(index) else {
                    throw .invalidValue(field: "resources[\(index)].parent", reason: "must refer to an earlier resource")
                }
                parentIndex = Int(parent - 1)
            }
            let hasProperties = try r.readByte("resource.hasProperties")
            var properties: PropertyValue?
            switch hasProperties {
            case 0: properties = nil
            case 1: properties = try PropertyCodec.read(from: &r, depth: 0)
            default: throw .invalidValue(field: "resources[\(index)].hasProperties", reason: "must be 0 or 1")
            }
            resources.append(ResourceReport(kind: kind, key: key, name: name, parentIndex: parentIndex, properties: properties))
        }

        let seriesCount = try r.readCount("series", minimumElementSize: 5)
        var series: [SeriesPoints] = []
        series.reserveCapacity(seriesCount)
        for index in 0..<seriesCount {
            let resourceIndex = try r.readUVarint("series.resource")
            guard resourceIndex < UInt64(resources.count) else {
                throw .invalidValue(field: "series[\(index)].resource", reason: "no resource \(resourceIndex) in this batch")
            }
            let metric = try r.readString("series.metric")
            guard MetricName.isValid(metric) else {
                throw .invalidValue(field: "series[\(index)].metric", reason: "\"\(metric)\" is not a valid metric name")
            }
            let rawType = try r.readByte("series.type")
            guard let type = MetricType(rawValue: rawType) else {
                throw .invalidValue(field: "series[\(index)].type", reason: "unknown metric type \(rawType)")
            }
            let labelCount = try r.readCount("series.labels", minimumElementSize: 2)
            var labels: [Label] = []
            for _ in 0..<labelCount {
                let name = try r.readString("label.name")
                guard MetricName.isValidLabel(name) else {
                    throw .invalidValue(field: "series[\(index)].labels", reason: "\"\(name)\" is not a valid label name")
                }
                labels.append(Label(name, try r.readString("label.value")))
            }
            let pointCount = try r.readCount("series.points", minimumElementSize: 9)
            var points: [Sample] = []
            points.reserveCapacity(pointCount)
            var timestamp: Int64 = 0
            for _ in 0..<pointCount {
                let delta = try r.readVarint("point.timestamp")
                let (next, overflow) = timestamp.addingReportingOverflow(delta)
                guard !overflow else { throw .invalidValue(field: "series[\(index)].points", reason: "timestamp overflow") }
                timestamp = next
                points.append(Sample(timestamp, try r.readDouble("point.value")))
            }
            series.append(SeriesPoints(resourceIndex: Int(resourceIndex), metric: metric, type: type,
                                       labels: Labels(labels), points: points))
        }
        var batch = AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: createdAtMs, intervalMs: intervalMs,
                               agentVersion: agentVersion, resources: resources, series: series)
        if version >= 2 {
            batch.events = try decodeEvents(&r, resourceCount: resources.count)
            batch.configs = try decodeConfigs(&r, resourceCount: resources.count)
        }
        guard r.remaining == 0 else { throw .trailingBytes(count: r.remaining) }
        return batch
    }

    static func decodeEvents(_ r: inout BinaryReader, resourceCount: Int) throws(DecodeError) -> [AgentEvent] {
        let count = try r.readCount("events", minimumElementSize: 7)
        var events: [AgentEvent] = []
        events.reserveCapacity(count)
        for index in 0..<count {
            let resourceIndex = try r.readUVarint("event.resource")
            guard resourceIndex < UInt64(resourceCount) else {
                throw .invalidValue(field: "events[\(index)].resource", reason: "no resource \(resourceIndex) in this batch")
            }
            let kind = try r.readString("event.kind")
            guard !kind.isEmpty, kind.utf8.count <= 64 else { throw .invalidValue(field: "events[\(index)].kind", reason: "must be 1 to 64 bytes") }
            let timeMs = try r.readVarint("event.time")
            let rawSeverity = try r.readByte("event.severity")
            guard let severity = EventSeverity(rawValue: rawSeverity) else {
                throw .invalidValue(field: "events[\(index)].severity", reason: "unknown severity \(rawSeverity)")
            }
            events.append(AgentEvent(resourceIndex: Int(resourceIndex), kind: kind, timeMs: timeMs, severity: severity,
                                     source: try r.readString("event.source"), origin: try r.readString("event.origin"),
                                     message: try r.readString("event.message")))
        }
        return events
    }

    static func decodeConfigs(_ r: inout BinaryReader, resourceCount: Int) throws(DecodeError) -> [ConfigSnapshot] {
        let count = try r.readCount("configs", minimumElementSize: 5)
        var configs: [ConfigSnapshot] = []
        for index in 0..<count {
            let resourceIndex = try r.readUVarint("config.resource")
            guard resourceIndex < UInt64(resourceCount) else {
                throw .invalidValue(field: "configs[\(index)].resource", reason: "no resource \(resourceIndex) in this batch")
            }
            let path = try r.readString("config.path")
            guard path.hasPrefix("/") else { throw .invalidValue(field: "configs[\(index)].path", reason: "must be absolute") }
            let rawState = try r.readByte("config.state")
            guard let state = ConfigSnapshot.State(rawValue: rawState) else {
                throw .invalidValue(field: "configs[\(index)].state", reason: "unknown state \(rawState)")
            }
            let observedMs = try r.readVarint("config.observed")
            r.maxStringLength = ConfigSnapshot.maxContentBytes
            let content = try r.readString("config.content")
            r.maxStringLength = 1 << 16
            configs.append(ConfigSnapshot(resourceIndex: Int(resourceIndex), path: path, state: state, observedMs: observedMs, content: content))
        }
        return configs
    }
}
