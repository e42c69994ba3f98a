/// The three Unicode properties the pre-tokenizers look at, per scalar.
///
/// Mirrors llama.cpp `unicode_cpt_flags` as its pre-tokenizers use them: `letter` is `\p{L}`,
/// `number` is `\p{N}`, `whitespace` is the Unicode `White_Space` property (which is what
/// llama.cpp's generated `unicode_set_whitespace` holds: U+0009–U+000D, U+0020, U+0085, U+00A0, …;
/// not U+001C–U+001F). Everything else is "other" (punctuation, symbols, marks, controls).
struct CharacterClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = CharacterClass(rawValue: 1)
    static let number = CharacterClass(rawValue: 2)
    static let whitespace = CharacterClass(rawValue: 4)
    /// Set on `\r` and `\n` (the Qwen2 expression treats them apart from other whitespace).
    static let lineBreak = CharacterClass(rawValue: 8)

    /// Neither letter, number nor whitespace: `[^\s\p{L}\p{N}]`.
    @inline(__always) var isOther: Bool { rawValue & 0b111 == 0 }
    @inline(__always) var isLetter: Bool { rawValue & 1 != 0 }
    @inline(__always) var isNumber: Bool { rawValue & 2 != 0 }
    @inline(__always) var isWhitespace: Bool { rawValue & 4 != 0 }
    @inline(__always) var isLineBreak: Bool { rawValue & 8 != 0 }

    /// The class of a scalar value.
    @inline(__always)
    static func of(_ scalar: UInt32) -> CharacterClass {
        if scalar < 128 { return ascii[Int(scalar)] }
        return nonASCII(scalar)
    }

    private static let ascii: [CharacterClass] = (0..<128).map { value in
        switch value {
        case 0x0A, 0x0D: return [.whitespace, .lineBreak]
        case 0x09, 0x0B, 0x0C, 0x20: return .whitespace
        case 0x30...0x39: return .number
        case 0x41...0x5A, 0x61...0x7A: return .letter
        default: return []
        }
    }

    private static func nonASCII(_ value: UInt32) -> CharacterClass {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return []
        }
    }
}
