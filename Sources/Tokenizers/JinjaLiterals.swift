/// The string literals of a Jinja template, unescaped, in order: enough to read the fixed texts a
/// chat template writes (its default system prompt, its tool instructions) without running Jinja.
enum JinjaLiterals {
    /// Every quoted literal that appears inside `{{ … }}` or `{% … %}`.
    static func strings(in template: String) -> [String] {
        var result: [String] = []
        let chars = Array(template)
        var i = 0
        var inTag = false
        while i < chars.count {
            let c = chars[i]
            if !inTag {
                if c == "{", i + 1 < chars.count, chars[i + 1] == "{" || chars[i + 1] == "%" { inTag = true; i += 2; continue }
                i += 1
                continue
            }
            if (c == "}" || c == "%"), i + 1 < chars.count, chars[i + 1] == "}" { inTag = false; i += 2; continue }
            guard c == "'" || c == "\"" else { i += 1; continue }
            var literal = ""
            var j = i + 1
            var closed = false
            while j < chars.count {
                let d = chars[j]
                if d == "\\", j + 1 < chars.count {
                    switch chars[j + 1] {
                    case "n": literal.append("\n")
                    case "t": literal.append("\t")
                    case "r": literal.append("\r")
                    default: literal.append(chars[j + 1])
                    }
                    j += 2
                    continue
                }
                if d == c { closed = true; break }
                literal.append(d)
                j += 1
            }
            guard closed else { break }
            result.append(literal)
            i = j + 1
        }
        return result
    }
}
