import Foundation

/// Decides whether an answer matches an evaluation case.
public enum AnswerCheck {
    /// Whether `answer` passes `item`'s check and gives none of its forbidden answers. A `number` check
    /// judges the answer's final number (the figure it ends on), not any number written in it; Loom's own
    /// note on what is missing (`(Stopped early: …)`, `(Missing: …)`) is not part of the answer.
    public static func passes(_ answer: String, _ item: EvalCase) -> Bool {
        if let forbidden = item.forbidden, forbidden.contains(where: { gives(answer, $0, item) }) { return false }
        return matches(withoutNote(answer), item.expected, item, finalOnly: true)
    }

    /// Whether `answer` gives `figure` anywhere, the way `item` is checked (a forbidden figure fails an
    /// answer wherever it is written).
    static func gives(_ answer: String, _ figure: String, _ item: EvalCase) -> Bool {
        matches(answer, figure, EvalCase(id: item.id, question: item.question, agent: item.agent, expected: figure,
                                         check: item.check == .number ? .number : .contains,
                                         tolerance: item.tolerance, category: item.category), finalOnly: false)
    }

    /// The answer without the note the planner appends after a blank line when something is missing.
    static func withoutNote(_ answer: String) -> String {
        guard let range = answer.range(of: "\n\n(", options: .backwards), answer.hasSuffix(")") else { return answer }
        let note = answer[range.upperBound...]
        guard note.hasPrefix("Stopped early:") || note.hasPrefix("Missing:") else { return answer }
        return String(answer[..<range.lowerBound])
    }

    /// Whether `answer` matches `expectedText` under `item`'s check; with `finalOnly`, a number check
    /// looks at the last number only.
    static func matches(_ answer: String, _ expectedText: String, _ item: EvalCase, finalOnly: Bool) -> Bool {
        let text = normalize(answer)
        let expected = normalize(expectedText)
        switch item.check {
        case .exact:
            return text == expected || text.hasSuffix(" " + expected) || text.hasPrefix(expected + " ")
                || text.components(separatedBy: "\n").contains { normalize($0) == expected }
        case .contains:
            return text.contains(expected) || compact(text).contains(compact(expected))
        case .number:
            let digits = expectedText.replacingOccurrences(of: ",", with: "")
            if digits.count > 15, digits.allSatisfy(\.isNumber) || (digits.hasPrefix("-") && digits.dropFirst().allSatisfy(\.isNumber)) {
                // Beyond Double's precision: compare digits exactly.
                let written = integers(in: answer)
                return finalOnly ? written.last == digits : written.contains(digits)
            }
            guard let target = number(in: expectedText) else { return false }
            let tolerance = item.tolerance ?? 1e-6
            let tokens = numberTokens(in: answer)
            let judged = finalOnly ? Array(tokens.suffix(1)) : tokens
            return judged.joined().contains { abs($0 - target) <= tolerance * max(abs(target), 1) }
        }
    }

    /// Lower-cased, trimmed, trailing period dropped, thousands separators removed.
    static func normalize(_ text: String) -> String {
        var t = text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        while t.hasSuffix(".") { t.removeLast() }
        return t.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "")
    }

    static func compact(_ text: String) -> String { text.filter { !$0.isWhitespace } }

    /// Every number written in `text`: integers, decimals, `64,208`, `3/4` fractions, `1.5e10`.
    static func numbers(in text: String) -> [Double] { numberTokens(in: text).flatMap { $0 } }

    /// The numbers written in `text`, one entry per written number with the values it may stand for
    /// (a fraction `a/b` stands for a/b, or for a when the slash separates two figures).
    static func numberTokens(in text: String) -> [[Double]] {
        let cleaned = text.replacingOccurrences(of: "−", with: "-")
        var results: [[Double]] = []
        let pattern = #"-?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s*/\s*-?\d+(?:\.\d+)?)?"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(cleaned.startIndex..., in: cleaned)
        for match in regex.matches(in: cleaned, range: range) {
            guard let r = Range(match.range, in: cleaned) else { continue }
            let token = String(cleaned[r])
            let parts = token.split(separator: "/").map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "") }
            if parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), b != 0 {
                results.append([a / b, a])
            } else if let value = Double(parts[0]) {
                results.append([value])
            }
        }
        return results
    }

    /// Every integer written in `text` as a digit string (thousands separators removed).
    static func integers(in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: #"-?\d[\d,_]*\d|-?\d"#) else { return [] }
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range, in: text).map { String(text[$0]).filter { $0.isNumber || $0 == "-" } }
        }
    }

    /// The first number in `text`.
    static func number(in text: String) -> Double? { numbers(in: text).first }
}
