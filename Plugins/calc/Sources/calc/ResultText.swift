import MCP
import PluginKit

/// How a Giac answer is shown to the model: the exact result (capped), a decimal line (not for an
/// integer shown in full), and notes.
///
/// ```
/// 3802951800684688204490109616129/3
/// ≈ 1.26765060022823e+30
/// ```
enum ResultText {
    /// Integers longer than this many digits are cut to their leading digits.
    static let maxDigits = 300
    /// Other results longer than this many characters are cut.
    static let maxCharacters = 4000

    /// Renders an answer with optional notes (one per line, after the result).
    static func render(_ answer: GiacAnswer, exact: String? = nil, notes: [String] = []) -> PluginToolOutput {
        // Decimals in the result itself (an input with a decimal point gives one) are tidied too:
        // Giac's `0.116875000000000e6` is `116875`, which a small model cannot garble.
        let result = tidyDecimal(exact ?? answer.exact)
        let (shown, cutNote) = cap(result)
        // A whole integer shown in full needs no approximation (small models copy the ≈ line instead
        // of the exact digits); one cut to its leading digits keeps it, for its size.
        let wholeInteger = Calculator.isInteger(result) && cutNote == nil
        let decimal = wholeInteger ? nil : answer.decimal.map(tidyDecimal).flatMap { $0 == result ? nil : $0 }
        var lines = [shown]
        if let decimal { lines.append("≈ \(decimal)") }
        if let cutNote { lines.append(cutNote) }
        lines += notes
        var structured: [String: Value] = ["result": .string(shown)]
        if let decimal { structured["decimal"] = .string(decimal) }
        return PluginToolOutput(text: lines.joined(separator: "\n"), structured: .object(structured))
    }

    /// Cuts a huge result, returning the shown text and a note saying how much was cut.
    static func cap(_ text: String) -> (String, String?) {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        if digits.count > maxDigits, digits.allSatisfy(\.isASCIIDigitCharacter) {
            let sign = text.hasPrefix("-") ? "-" : ""
            let cut = digits.count - maxDigits
            return ("\(sign)\(digits.prefix(maxDigits))…",
                    "(an integer with \(digits.count) digits: the last \(cut) digits were cut; the ≈ line gives its size)")
        }
        if text.count > maxCharacters {
            let cut = text.count - maxCharacters
            return ("\(text.prefix(maxCharacters))…",
                    "(result cut: \(cut) of its \(text.count) characters were left out)")
        }
        return (text, nil)
    }

    /// Rewrites every decimal number in Giac's approximation text the way people write it: trailing
    /// zeros dropped, positional notation for magnitudes 1e-4...1e16, otherwise `2.82422940796035e+456573`
    /// (Giac writes `0.282422940796035e456574` and `360.000000000000`).
    static func tidyDecimal(_ text: String) -> String {
        var out = ""
        var token = ""
        func flush() {
            out += token.contains(".") ? tidyNumber(token) : token
            token = ""
        }
        var previous: Character = " "
        for character in text {
            let continuesExponent = (character == "+" || character == "-") && previous == "e" && token.contains(".")
            if character.isASCIIDigitCharacter || character == "." || continuesExponent
                || (character == "e" && token.contains(".") && !token.contains("e")) {
                if token.isEmpty, previous.isLetter || previous == "_" {
                    out.append(character)
                } else {
                    token.append(character)
                }
            } else {
                flush()
                out.append(character)
            }
            previous = character
        }
        flush()
        return out
    }

    /// One decimal number, `I.F` or `I.Fe±N`, in the tidy form described at `tidyDecimal`.
    static func tidyNumber(_ token: String) -> String {
        let parts = token.split(separator: "e", maxSplits: 1, omittingEmptySubsequences: false)
        let mantissa = parts[0].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard mantissa.count == 2, mantissa.allSatisfy({ $0.allSatisfy(\.isASCIIDigitCharacter) }) else { return token }
        var exponent = 0
        if parts.count == 2 {
            guard let value = Int(parts[1]) else { return token }
            exponent = value
        }
        var digits = Array(mantissa[0] + mantissa[1])
        var point = mantissa[0].count + exponent
        while let first = digits.first, first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while let last = digits.last, last == "0" { digits.removeLast() }
        guard !digits.isEmpty else { return "0" }
        let text = String(digits)
        if point >= -3 && point <= 16 {
            if point <= 0 { return "0." + String(repeating: "0", count: -point) + text }
            if point >= digits.count { return text + String(repeating: "0", count: point - digits.count) }
            return String(digits[..<point]) + "." + String(digits[point...])
        }
        let rest = digits.dropFirst()
        let shifted = point - 1
        return "\(digits[0])\(rest.isEmpty ? "" : "." + String(rest))e\(shifted < 0 ? "-" : "+")\(abs(shifted))"
    }
}

extension Character {
    /// `0`–`9` only (not other Unicode digits).
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
