/// Repairs a Python program whose line breaks arrived as the two characters `\n`.
///
/// A model that writes code inside a JSON tool call sometimes escapes it twice, so the program reaches
/// the plugin as one line: `import math\nprint(math.pi)`. Python can never accept that: outside a string
/// literal a backslash may only end a line. Such a program is unescaped once, the way a JSON string is
/// read (`\n`, `\t`, `\"`, `\'`, `\\`), and the result says so. A program with a real line break, or whose
/// backslashes are all inside string literals (`print("a\nb")`), is left alone.
enum EscapedLineBreaks {
    /// The repaired program, or nil when `source` needs no repair.
    static func repaired(_ source: String) -> String? {
        guard !source.contains("\n"), hasBackslashOutsideStrings(source) else { return nil }
        var out = ""
        var escaping = false
        for character in source {
            if escaping {
                switch character {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "\"", "'", "\\": out.append(character)
                default: out.append("\\"); out.append(character)
                }
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        if escaping { out.append("\\") }
        return out
    }

    /// Whether a backslash followed by `n` appears outside every string literal of this one-line program.
    static func hasBackslashOutsideStrings(_ line: String) -> Bool {
        let characters = Array(line)
        var quote: Character?  // the delimiter of the string literal we are in
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if let open = quote {
                if character == "\\" { index += 2; continue }
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#" {
                return false  // a comment: the rest is not code
            } else if character == "\\", index + 1 < characters.count, characters[index + 1] == "n" {
                return true
            }
            index += 1
        }
        return false
    }
}
