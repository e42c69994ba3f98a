/// One window of a long text, cut so a model can read a page in parts with `start_index`.
struct TextWindow: Equatable {
    /// The characters shown.
    let text: String
    /// Offset (in characters) of the first character shown.
    let start: Int
    /// Offset just past the last character shown; where the next call continues.
    let end: Int
    /// Characters in the whole text.
    let total: Int

    /// Whether text follows this window.
    var hasMore: Bool { end < total }

    /// Cuts up to `maxChars` characters from `start`, preferring to end after a line break (or else a
    /// space) in the second half of the window, so words and lines are not split.
    ///
    /// - Throws: `WebFetchError.badArgument` when `start` is past the end of a non-empty text.
    init(_ full: String, start: Int, maxChars: Int) throws {
        let total = full.count
        guard start == 0 || start < total else {
            throw WebFetchError.badArgument(
                name: "start_index", reason: "is \(start), past the end of the text (\(total) characters)")
        }
        let lower = full.index(full.startIndex, offsetBy: start)
        var upper = full.index(lower, offsetBy: maxChars, limitedBy: full.endIndex) ?? full.endIndex
        if upper < full.endIndex {
            let middle = full.index(lower, offsetBy: maxChars / 2)
            let window = full[middle..<upper]
            if let breakIndex = window.lastIndex(of: "\n") ?? window.lastIndex(of: " ") {
                upper = full.index(after: breakIndex)
            }
        }
        self.text = String(full[lower..<upper])
        self.start = start
        self.end = start + full.distance(from: lower, to: upper)
        self.total = total
    }

    /// The line that tells the model where to continue, or nil when this window reaches the end.
    var continuation: String? {
        guard hasMore else { return nil }
        return "…truncated, continue at \(end) (call fetch again with start_index=\(end); \(total) characters in all)"
    }
}
