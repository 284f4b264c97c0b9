/// Parses human durations such as `10s`, `2s`, `500ms`, `5m`, `1h`, `1h30m` into milliseconds.
public enum DurationText {
    /// The shortest text for `ms` in the largest whole units (`90000` → `1m30s`, `500` → `500ms`); `0ms` for zero
    /// or less.
    public static func format(_ ms: Int64) -> String {
        guard ms > 0 else { return "0ms" }
        var rest = ms
        var text = ""
        for (unit, scale) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] where rest >= scale {
            text += "\(rest / scale)\(unit)"
            rest %= scale
        }
        return text
    }

    /// Milliseconds for `text`, or nil if it is not a positive duration.
    public static func milliseconds(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64 = 0
        var haveNumber = false
        var units = ""
        var parts = 0
        func flush() -> Bool {
            guard haveNumber else { return false }
            let scale: Int64
            switch units {
            case "ms": scale = 1
            case "s": scale = 1000
            case "m": scale = 60_000
            case "h": scale = 3_600_000
            case "d": scale = 86_400_000
            default: return false
            }
            let (product, overflow) = number.multipliedReportingOverflow(by: scale)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow else { return false }
            total = sum
            number = 0
            haveNumber = false
            units = ""
            parts += 1
            return true
        }
        for character in text {
            if let digit = character.wholeNumberValue, character.isASCII {
                if !units.isEmpty { guard flush() else { return nil } }
                let (shifted, o1) = number.multipliedReportingOverflow(by: 10)
                let (added, o2) = shifted.addingReportingOverflow(Int64(digit))
                guard !o1, !o2 else { return nil }
                number = added
                haveNumber = true
            } else if character.isLetter {
                guard haveNumber else { return nil }
                units.append(character)
            } else {
                return nil
            }
        }
        guard flush(), parts > 0, total > 0 else { return nil }
        return total
    }
}
