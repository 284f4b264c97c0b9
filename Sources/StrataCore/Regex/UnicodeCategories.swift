/// Scalar ranges of the Unicode general categories, for `\p{L}`, `\pN`, `\P{Lu}` and `\p{Any}`.
///
/// Built once per process, on first use, from the standard library's `generalCategory` property (one
/// pass over the assigned planes; planes 4–13 are unassigned, 15–16 private use).
enum UnicodeCategories {
    /// The ranges of the category or category group called `name` (`L`, `Lu`, `Nd`, `Any`...), or nil.
    static func ranges(named name: String) -> [ClosedRange<UInt32>]? {
        if name == "Any" { return [0...CharacterClass.maximumScalar] }
        if name.count == 1 {  // a group: `C` is Cc, Cf, Co and Cs, as in Go (unassigned scalars excluded)
            let members = table.filter { $0.key.hasPrefix(name) && $0.key != "Cn" }
            return members.isEmpty ? nil : members.values.flatMap { $0 }
        }
        return table[name]
    }

    /// Two-letter category abbreviation → sorted ranges.
    static let table: [String: [ClosedRange<UInt32>]] = {
        var result: [String: [ClosedRange<UInt32>]] = [:]
        var currentName = ""
        var currentStart: UInt32 = 0
        func record(_ name: String, _ value: UInt32) {
            if name != currentName {
                if !currentName.isEmpty { result[currentName, default: []].append(currentStart...(value - 1)) }
                currentName = name
                currentStart = value
            }
        }
        for value: UInt32 in 0...CharacterClass.maximumScalar {
            let name: String
            switch value {
            case 0xD800...0xDFFF: name = "Cs"
            case 0x40000...0xDFFFF: name = "Cn"
            case 0xF0000...0x10FFFF: name = (value & 0xFFFE) == 0xFFFE ? "Cn" : "Co"
            default: name = Unicode.Scalar(value).map { abbreviation($0.properties.generalCategory) } ?? "Cn"
            }
            record(name, value)
        }
        result[currentName, default: []].append(currentStart...CharacterClass.maximumScalar)
        return result
    }()

    private static func abbreviation(_ category: Unicode.GeneralCategory) -> String {
        switch category {
        case .uppercaseLetter: return "Lu"
        case .lowercaseLetter: return "Ll"
        case .titlecaseLetter: return "Lt"
        case .modifierLetter: return "Lm"
        case .otherLetter: return "Lo"
        case .nonspacingMark: return "Mn"
        case .spacingMark: return "Mc"
        case .enclosingMark: return "Me"
        case .decimalNumber: return "Nd"
        case .letterNumber: return "Nl"
        case .otherNumber: return "No"
        case .connectorPunctuation: return "Pc"
        case .dashPunctuation: return "Pd"
        case .openPunctuation: return "Ps"
        case .closePunctuation: return "Pe"
        case .initialPunctuation: return "Pi"
        case .finalPunctuation: return "Pf"
        case .otherPunctuation: return "Po"
        case .mathSymbol: return "Sm"
        case .currencySymbol: return "Sc"
        case .modifierSymbol: return "Sk"
        case .otherSymbol: return "So"
        case .spaceSeparator: return "Zs"
        case .lineSeparator: return "Zl"
        case .paragraphSeparator: return "Zp"
        case .control: return "Cc"
        case .format: return "Cf"
        case .surrogate: return "Cs"
        case .privateUse: return "Co"
        case .unassigned: return "Cn"
        @unknown default: return "Cn"
        }
    }
}
