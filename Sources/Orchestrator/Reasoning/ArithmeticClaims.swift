import Foundation

/// One calculation a model wrote in the prose of its reasoning: an arithmetic expression, `=`, and the
/// value the model gave it (`\( 95 \times 0.20 = 19 \)`, `$12 + $5 = $17`, `4.5 x 4 = 18`).
struct ArithmeticClaim: Hashable, Sendable {
    /// The expression in calc's syntax (`95*0.20`).
    var expression: String
    /// The value as the model wrote it (`19`, `1,250.50`).
    var written: String
    /// Where that value sits in the reasoning text.
    var writtenRange: Range<String.Index>

    /// The written value as a number.
    var writtenValue: Double? { ArithmeticClaims.number(written) }

    /// Whether `correct` is what was written: equal, or equal once rounded to the decimals written (a
    /// model writing `= 3.33` for 10/3 rounds, it does not miscalculate; `= 3` for 10/3 is also taken as
    /// rounding, up or down, since a word problem may count whole items).
    func agrees(with correct: Double) -> Bool {
        guard let value = writtenValue else { return true }
        let decimals = written.split(separator: ".").dropFirst().first?.count ?? 0
        if decimals == 0 {
            return abs(value - correct) <= 1e-9 * max(1, abs(correct))
                || (correct.rounded() != correct && (value == correct.rounded(.down) || value == correct.rounded(.up)))
        }
        return abs(value - correct) <= 0.5 * pow(10, -Double(decimals)) + 1e-9 * max(1, abs(correct))
    }
}

/// Finds the calculations written in a reasoning text's prose (never inside ``` code or output blocks),
/// so that each can be computed by a tool and a wrong value replaced before the model builds on it.
enum ArithmeticClaims {
    /// The claims in `text` whose written value starts at or after `start`, in order.
    static func find(in text: String, from start: String.Index? = nil) -> [ArithmeticClaim] {
        var claims: [ArithmeticClaim] = []
        let start = start ?? text.startIndex
        for prose in proseRanges(in: text) where prose.upperBound > start {
            var index = prose.lowerBound
            while let equals = text[index..<prose.upperBound].firstIndex(of: "=") {
                index = text.index(after: equals)
                if let claim = claim(at: equals, in: text, within: prose), claim.writtenRange.lowerBound >= start {
                    claims.append(claim)
                }
            }
        }
        return claims
    }

    /// The parts of `text` outside ``` fences (code and output blocks are not prose).
    static func proseRanges(in text: String) -> [Range<String.Index>] {
        var ranges: [Range<String.Index>] = []
        var cursor = text.startIndex
        var inside = false
        while let fence = text.range(of: "```", range: cursor..<text.endIndex) {
            if !inside { ranges.append(cursor..<fence.lowerBound) }
            inside.toggle()
            cursor = fence.upperBound
        }
        if !inside { ranges.append(cursor..<text.endIndex) }
        return ranges.filter { !$0.isEmpty }
    }

    private static let valuePattern = try! NSRegularExpression(pattern: #"^[ \t]*(?:\\?\$[ \t]*)?(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"#)

    /// The claim whose `=` is at `equals`, if the text before it on its line ends in an arithmetic
    /// expression and a plain number follows it (a number followed by an operator starts another
    /// expression, not a value).
    static func claim(at equals: String.Index, in text: String, within prose: Range<String.Index>) -> ArithmeticClaim? {
        // `==`, `<=`, `>=`, `!=` are comparisons.
        if equals > prose.lowerBound, "=<>!".contains(text[text.index(before: equals)]) { return nil }
        let afterEquals = text.index(after: equals)
        if afterEquals < prose.upperBound, text[afterEquals] == "=" { return nil }

        let right = String(text[afterEquals..<prose.upperBound].prefix { $0 != "\n" })
        guard let match = valuePattern.firstMatch(in: right, range: NSRange(right.startIndex..., in: right)),
              let valueRange = Range(match.range(at: 1), in: right) else { return nil }
        let rest = right[valueRange.upperBound...].drop { $0 == " " || $0 == "\t" }
        if let next = rest.first, "+-*/×÷^(".contains(next) || rest.hasPrefix("\\times") || rest.hasPrefix("\\div")
            || rest.hasPrefix("\\cdot") || next == "%" || (next.isNumber) { return nil }

        let lineStart = text[prose.lowerBound..<equals].lastIndex(of: "\n").map { text.index(after: $0) } ?? prose.lowerBound
        guard let expression = expression(endingBefore: String(text[lineStart..<equals])) else { return nil }

        let offset = right.distance(from: right.startIndex, to: valueRange.lowerBound)
        let length = right.distance(from: valueRange.lowerBound, to: valueRange.upperBound)
        let lower = text.index(afterEquals, offsetBy: offset)
        let upper = text.index(lower, offsetBy: length)
        return ArithmeticClaim(expression: expression, written: String(right[valueRange]), writtenRange: lower..<upper)
    }

    /// The arithmetic expression `line` ends with, in calc's syntax, or nil when it does not end with
    /// one of at least two numbers and an operator (`Total: 3 apples` ends with none).
    static func expression(endingBefore line: String) -> String? {
        var text = line
        // Only what follows the last delimiter: an earlier `=` of a chain, a colon, a LaTeX opening.
        for delimiter in ["=", "\\(", "\\[", ":", ";", "≈"] {
            if let range = text.range(of: delimiter, options: .backwards) { text = String(text[range.upperBound...]) }
        }
        text = normalized(text)
        // The longest suffix made of numbers, operators, parentheses and spaces.
        let allowed = Set("0123456789.+-*/^() \t")
        let suffix = String(text.reversed().prefix { allowed.contains($0) }.reversed())
        var expression = suffix.trimmingCharacters(in: .whitespaces)
        // A leading binary operator (or a list bullet `- `) is not part of the expression.
        while let first = expression.first, "+*/^)".contains(first) || expression.hasPrefix("- ") || expression == "-" {
            expression = String(expression.dropFirst()).trimmingCharacters(in: .whitespaces)
        }
        var depth = 0
        for character in expression {
            if character == "(" { depth += 1 } else if character == ")" { depth -= 1 }
            if depth < 0 { return nil }
        }
        while depth > 0, expression.first == "(" {
            expression.removeFirst()
            depth -= 1
        }
        guard depth == 0 else { return nil }
        let compact = expression.filter { $0 != " " && $0 != "\t" }
        // Two numbers side by side (`2 3 + 4`, a list's `1. 3 + 4`) are not one expression.
        if expression.range(of: #"\d\.?[ \t]+[\d(]"#, options: .regularExpression) != nil { return nil }
        let numbers = compact.split { !"0123456789.".contains($0) }.filter { !$0.isEmpty }
        guard numbers.count >= 2, numbers.allSatisfy({ Double($0) != nil }),
              compact.dropFirst().contains(where: { "+-*/^".contains($0) }) else { return nil }
        return compact
    }

    /// LaTeX and typographic arithmetic in calc's syntax: `\times`, `×`, `\cdot` and `x` between numbers
    /// are `*`; `\div` and `÷` are `/`; `\frac{a}{b}` is `(a)/(b)`; `15%` is `(15/100)`; currency signs,
    /// thousands separators and braces go.
    static func normalized(_ text: String) -> String {
        var t = text
        for (pattern, replacement) in replacements {
            t = pattern.stringByReplacingMatches(in: t, range: NSRange(t.startIndex..., in: t), withTemplate: replacement)
        }
        for (from, to) in [("\\times", "*"), ("\\cdot", "*"), ("×", "*"), ("·", "*"), ("∗", "*"), ("\\div", "/"),
                           ("÷", "/"), ("−", "-"), ("\\left", ""), ("\\right", ""), ("\\$", ""), ("$", ""),
                           ("\\,", ""), ("{", ""), ("}", ""), ("**", "^")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        return t
    }

    private static let replacements: [(NSRegularExpression, String)] = [
        (#"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}"#, "($1)/($2)"),
        (#"(?<=\d),(?=\d{3}(?!\d))"#, ""),
        (#"(\d+(?:\.\d+)?)\s*\\?%"#, "($1/100)"),
        (#"(?<=[\d)])[ \t]*[xX][ \t]*(?=[\d(])"#, "*"),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    /// A number as written (`1,250.5`, `-3`) or as calc prints one (`10/3`, `1.5e+06`).
    static func number(_ text: String) -> Double? {
        let plain = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "")
        if let value = Double(plain) { return value }
        let halves = plain.split(separator: "/", omittingEmptySubsequences: false)
        if halves.count == 2, let numerator = Double(halves[0]), let denominator = Double(halves[1]), denominator != 0 {
            return numerator / denominator
        }
        return nil
    }

    /// `value` as it replaces a wrong one in the reasoning: an integer without decimals, otherwise at
    /// most four decimals without trailing zeros.
    static func format(_ value: Double) -> String {
        if value.rounded() == value, abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
