import Foundation

/// The Python programs in a reasoning text, in the fenced format code models write on their own: a
/// ```` ```python ```` block, then a ```` ```output ```` block with what it printed.
enum ProgramBlocks {
    /// The opening of an output block; generation stops there, so that the real output goes in.
    static let outputFence = "```output"

    /// A closed Python block: its whole extent (fences included) and its code.
    struct Program: Hashable {
        var block: Range<String.Index>
        var code: String
    }

    /// The first closed Python block starting at or after `start` that no output block follows.
    static func firstUnrun(in text: String, from start: String.Index) -> Program? {
        var cursor = text.startIndex
        while let open = text.range(of: "```", range: cursor..<text.endIndex) {
            let headerEnd = text[open.upperBound...].firstIndex(of: "\n") ?? text.endIndex
            let language = text[open.upperBound..<headerEnd].trimmingCharacters(in: .whitespaces).lowercased()
            guard headerEnd < text.endIndex,
                  let close = text.range(of: "```", range: text.index(after: headerEnd)..<text.endIndex) else { return nil }
            cursor = close.upperBound
            guard language.hasPrefix("py"), open.lowerBound >= start else { continue }
            let rest = text[close.upperBound...].drop { $0.isWhitespace }
            if rest.hasPrefix(outputFence) { continue }
            let code = String(text[text.index(after: headerEnd)..<close.lowerBound])
            guard !code.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
            return Program(block: open.lowerBound..<close.upperBound, code: code)
        }
        return nil
    }
}
