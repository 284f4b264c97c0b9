import StrataAlerting
import StrataAPI
import StrataCore

/// Baseline and composite conditions, compiled with errors that name the field.
extension DefinitionCompiler {
    static let maxCompositeParts = 16

    static func baseline(_ body: API.AlertCondition, field prefix: String) throws(DefinitionError) -> BaselineCondition {
        guard let metric = body.metric, !metric.isEmpty else { throw DefinitionError(field: "\(prefix).metric", message: "a baseline needs a metric name") }
        let directionText = body.direction ?? "either"
        guard let direction = BaselineCondition.Direction(rawValue: directionText) else {
            throw DefinitionError(field: "\(prefix).direction", message: "must be above, below or either, not \"\(directionText)\"")
        }
        let seasonText = body.season ?? "weekly"
        guard let season = BaselineCondition.Season(rawValue: seasonText) else {
            throw DefinitionError(field: "\(prefix).season", message: "must be weekly (hour of the week) or daily (hour of the day), not \"\(seasonText)\"")
        }
        if let deviations = body.deviations {
            guard deviations.isFinite, deviations > 0, deviations <= 1_000 else {
                throw DefinitionError(field: "\(prefix).deviations", message: "must be a number above 0 and at most 1000")
            }
        }
        if let spread = body.minSpread {
            guard spread.isFinite, spread >= 0 else { throw DefinitionError(field: "\(prefix).minSpread", message: "must be a finite number, 0 or more") }
        }
        let kept = Int64(BaselineProfile.keptSeasons)
        var seasons: Int64 = 2
        if let history = try duration(body.minHistory, field: "\(prefix).minHistory") {
            guard history > 0, history <= season.lengthMs * kept else {
                throw DefinitionError(field: "\(prefix).minHistory", message: "must be longer than 0 and at most \(kept) seasons (\(DurationText.format(season.lengthMs * kept)))")
            }
            seasons = (history + season.lengthMs - 1) / season.lengthMs
        }
        return BaselineCondition(metric: metric, labels: body.labels ?? [:], direction: direction, deviations: body.deviations ?? 3, season: season,
                                 minSeasons: Int(seasons), minSpread: body.minSpread, utcOffsetMs: try utcOffset(body.utcOffset, field: "\(prefix).utcOffset"))
    }

    /// `UTC`, `Z` or `±HH:MM` (at most 14 hours) in ms.
    static func utcOffset(_ text: String?, field: String) throws(DefinitionError) -> Int64 {
        guard let text, text != "UTC", text != "Z" else { return 0 }
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count == 6, bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-"), bytes[3] == UInt8(ascii: ":"),
              let hours = digits(1..<3), let minutes = digits(4..<6), minutes < 60, hours * 60 + minutes <= 14 * 60 else {
            throw DefinitionError(field: field, message: "must be UTC or an offset such as +01:00 or -05:30 (at most 14 hours), not \"\(text)\"")
        }
        let offset = (hours * 60 + minutes) * 60_000
        return bytes[0] == UInt8(ascii: "-") ? -offset : offset
    }

    static func composite(_ body: API.AlertCondition, field prefix: String) throws(DefinitionError) -> CompositeCondition {
        let modeText = body.mode ?? "all"
        guard let mode = CompositeCondition.Mode(rawValue: modeText) else {
            throw DefinitionError(field: "\(prefix).mode", message: "must be all or any, not \"\(modeText)\"")
        }
        guard let bodies = body.conditions, (1...maxCompositeParts).contains(bodies.count) else {
            throw DefinitionError(field: "\(prefix).conditions", message: "a composite needs 1–\(maxCompositeParts) conditions")
        }
        var parts: [CompositeCondition.Part] = []
        for (index, part) in bodies.enumerated() {
            let field = "\(prefix).conditions[\(index)]"
            let layerText = part.on ?? "self"
            guard let layer = CompositeCondition.Layer(name: layerText) else {
                throw DefinitionError(field: "\(field).on", message: "must be self, parent, host or a resource kind (\(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))), not \"\(layerText)\"")
            }
            let condition = try condition(part, field: field)
            var hold: Int64 = 300_000
            if case .event = condition {
                hold = try duration(part.hold, field: "\(field).hold") ?? hold
            } else if part.hold != nil {
                throw DefinitionError(field: "\(field).hold", message: "only an event part holds for a while; the others hold while their condition does")
            }
            parts.append(CompositeCondition.Part(layer: layer, condition: condition, holdMs: hold))
        }
        guard parts.contains(where: { $0.layer == .own }) else {
            throw DefinitionError(field: "\(prefix).conditions", message: "at least one part must watch the alert's own resource (on: self)")
        }
        return CompositeCondition(mode: mode, parts: parts)
    }
}
