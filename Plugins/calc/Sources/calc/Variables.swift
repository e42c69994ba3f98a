/// Finding and renaming the variables of an expression, at the level of identifiers (not substrings).
enum Variables {
    /// Names Giac treats as constants, never as unknowns.
    static let constants: Set<String> = ["pi", "e", "i", "inf", "infinity", "euler_gamma", "undef"]

    /// One identifier in a text: its name, where it starts, and whether a `(` follows (a function call).
    struct Token {
        var name: String
        var range: Range<String.Index>
        var isCall: Bool
    }

    /// The identifiers of `text`, in order.
    static func tokens(in text: String) -> [Token] {
        var tokens: [Token] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character.isNumber {
                // Skip a number, including a decimal point and an exponent such as 1e5.
                while index < text.endIndex, text[index].isNumber || text[index] == "." { index = text.index(after: index) }
                if index < text.endIndex, text[index] == "e" {
                    let next = text.index(after: index)
                    if next < text.endIndex, text[next].isNumber || text[next] == "-" || text[next] == "+" {
                        index = text.index(after: next)
                    }
                }
                continue
            }
            guard character.isLetter || character == "_" else {
                index = text.index(after: index)
                continue
            }
            let start = index
            while index < text.endIndex, text[index].isLetter || text[index].isNumber || text[index] == "_" {
                index = text.index(after: index)
            }
            var after = index
            while after < text.endIndex, text[after] == " " { after = text.index(after: after) }
            tokens.append(Token(name: String(text[start..<index]), range: start..<index,
                                isCall: after < text.endIndex && text[after] == "("))
        }
        return tokens
    }

    /// The unknowns of `text` in order of first appearance: identifiers that are neither function
    /// calls nor constants.
    static func free(in text: String) -> [String] {
        var seen: [String] = []
        for token in tokens(in: text) where !token.isCall && !constants.contains(token.name) && !seen.contains(token.name) {
            seen.append(token.name)
        }
        return seen
    }

    /// `preferred` when it occurs in `text` (or nothing does); otherwise the only unknown, if there is one.
    static func pick(in text: String, preferred: String) -> String {
        let unknowns = free(in: text)
        if unknowns.isEmpty || unknowns.contains(preferred) { return preferred }
        return unknowns.count == 1 ? unknowns[0] : preferred
    }

    /// Replaces the identifier `old` by `new` wherever it stands alone (not inside other names).
    static func rename(_ old: String, to new: String, in text: String) -> String {
        var result = ""
        var copied = text.startIndex
        for token in tokens(in: text) where token.name == old && !token.isCall {
            result += text[copied..<token.range.lowerBound]
            result += new
            copied = token.range.upperBound
        }
        result += text[copied...]
        return result
    }
}
