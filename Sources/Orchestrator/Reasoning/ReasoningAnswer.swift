import Foundation

/// The final result of a reasoning text: the last `\boxed{…}` of its prose, else its last `Answer:`
/// line, else its last line of prose that has a number, else the output of its last program; as plain
/// text (LaTeX delimiters and markup removed) that ends with the result.
enum ReasoningAnswer {
    /// The answer `text` gives.
    static func final(in text: String) -> String {
        let prose = ArithmeticClaims.proseRanges(in: text).map { String(text[$0]) }.joined(separator: "\n")
        if let boxed = lastBoxed(in: prose) {
            let value = plain(boxed.content)
            let line = plain(String(prose[boxed.line]).replacingCharacters(in: boxed.whole, with: boxed.content))
            return lastNumber(in: line) == lastNumber(in: value) && lastNumber(in: value) != nil ? line : value
        }
        if let marker = prose.range(of: "answer:", options: [.caseInsensitive, .backwards]) {
            let line = plain(String(prose[marker.upperBound...].prefix { $0 != "\n" }))
            if !line.isEmpty { return line }
        }
        let lines = prose.split(separator: "\n").map { plain(String($0)) }
        if let line = lines.last(where: { lastNumber(in: $0) != nil }) { return line }
        if let output = lastOutput(in: text) { return output }
        return plain(text)
    }

    /// The last `\boxed{…}`: its content, the range of the whole command and of the line it is on.
    static func lastBoxed(in text: String) -> (content: String, whole: Range<String.Index>, line: Range<String.Index>)? {
        guard let start = text.range(of: "\\boxed{", options: .backwards) else { return nil }
        var depth = 1
        var index = start.upperBound
        while index < text.endIndex {
            if text[index] == "{" { depth += 1 } else if text[index] == "}" { depth -= 1; if depth == 0 { break } }
            index = text.index(after: index)
        }
        guard index < text.endIndex else { return nil }
        let lineStart = text[..<start.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let lineEnd = text[index...].firstIndex(of: "\n") ?? text.endIndex
        // `whole` is relative to the line's own string.
        let line = String(text[lineStart..<lineEnd])
        let offset = text.distance(from: lineStart, to: start.lowerBound)
        let length = text.distance(from: start.lowerBound, to: text.index(after: index))
        let lower = line.index(line.startIndex, offsetBy: offset)
        return (String(text[start.upperBound..<index]), lower..<line.index(lower, offsetBy: length), lineStart..<lineEnd)
    }

    /// The content of the last output block.
    static func lastOutput(in text: String) -> String? {
        guard let fence = text.range(of: ProgramBlocks.outputFence, options: .backwards) else { return nil }
        let body = text[fence.upperBound...]
        let end = body.range(of: "```")?.lowerBound ?? body.endIndex
        let output = body[..<end].trimmingCharacters(in: .whitespacesAndNewlines)
        return output.isEmpty ? nil : output
    }

    /// `text` without LaTeX delimiters, `\text{…}` wrappers, emphasis and surrounding space; `\frac{a}{b}` as `a/b`.
    static func plain(_ text: String) -> String {
        var t = text
        t = t.replacingOccurrences(of: #"\\(?:text|mathrm|textbf)\{([^{}]*)\}"#, with: "$1", options: .regularExpression)
        t = t.replacingOccurrences(of: #"\\[dt]?frac\{([^{}]*)\}\{([^{}]*)\}"#, with: "$1/$2", options: .regularExpression)
        for markup in ["\\(", "\\)", "\\[", "\\]", "**", "\\boxed"] { t = t.replacingOccurrences(of: markup, with: "") }
        t = t.replacingOccurrences(of: "\\$", with: "$").replacingOccurrences(of: "\\%", with: "%")
        t = t.replacingOccurrences(of: #"[ \t]+"#, with: " ", options: .regularExpression)
        return t.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static let numberPattern = try! NSRegularExpression(pattern: #"-?\d(?:,\d{3}|\d)*(?:\.\d+)?"#)

    /// The last number written in `text`, as written (thousands separators removed).
    static func lastNumber(in text: String) -> String? {
        let matches = numberPattern.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard let last = matches.last, let range = Range(last.range, in: text) else { return nil }
        return text[range].replacingOccurrences(of: ",", with: "")
    }
}
