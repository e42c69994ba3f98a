/// Turns what small models write into Giac syntax, and refuses what calc must not evaluate.
///
/// Accepted on top of Giac's own syntax: `**` for powers, `×` `·` `÷` `−`, `√` (`√2`, `√(x+1)`),
/// `π`, `∞`, `²` `³`, `≤` `≥` `≠`, and a trailing `=` ("2+3="). Refused before Giac sees them:
/// `?` (as in "x = 2+3 = ?"), text in double quotes, and the names of functions that reach files,
/// programs or engine settings.
enum MathInput {
    /// Longest accepted argument, in characters.
    static let maxLength = 10_000

    /// Giac functions that read or write files, run programs, change engine modes, or turn text into
    /// code (which would get around this list). Giac's secure mode does not cover all of them (`read`).
    static let refusedNames: Set<String> = [
        "system", "shell", "read", "write", "fopen", "fprint", "fclose", "open", "close", "save",
        "load", "archive", "Archive", "unarchive", "Unarchiv", "unarchive_ti", "readwav", "writewav",
        "createwav", "plotwav", "readrgb", "writergb", "csv2gen", "cd", "pwd", "insmod", "rmmod",
        "lsmod", "xport", "python", "python_compat", "javascript", "execute", "expr", "parse",
        "string", "char", "save_history", "import_graph", "export_graph", "restart", "restart_modes",
        "threads_allowed", "calc_mode", "maple_mode", "xcas_mode", "getenv", "setenv", "quit",
        "exit", "kill", "debug", "spreadsheet",
    ]

    private static let replacements: [(String, String)] = [
        ("×", "*"), ("·", "*"), ("⋅", "*"), ("∙", "*"), ("÷", "/"), ("∕", "/"),
        ("−", "-"), ("–", "-"), ("—", "-"), ("²", "^2"), ("³", "^3"), ("∞", "inf"),
        ("≤", "<="), ("≥", ">="), ("≠", "!="), ("**", "^"), ("\u{00A0}", " "),
    ]

    /// Normalises one argument. `argument` names it in error messages.
    static func normalize(_ text: String, argument: String) throws(CalcError) -> String {
        var source = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !source.isEmpty else { throw .invalidArgument(name: argument, problem: "is empty; give a math expression such as '2*x+1'.") }
        guard source.count <= maxLength else {
            throw .inputTooLong(argument: argument, length: source.count, limit: maxLength)
        }
        if source.contains("?") { throw .questionMark(argument: source) }
        if source.contains(where: { "\"“”„".contains($0) }) { throw .textString(argument: source) }
        for (from, to) in replacements { source = source.replacingOccurrences(of: from, with: to) }
        source = expandSymbols(source)
        while source.hasSuffix("=") && !source.hasSuffix("==") {
            source = String(source.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        guard !source.isEmpty else { throw .invalidArgument(name: argument, problem: "has nothing to compute; give a math expression such as '2*x+1'.") }
        for name in identifiers(in: source) where refusedNames.contains(name) {
            throw .refusedFunction(name: name)
        }
        return source
    }

    /// Rewrites `π` as `pi` and `√a` as `sqrt(a)`, adding the `*` a juxtaposition means (`2π` → `2*pi`).
    static func expandSymbols(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        var index = 0
        func multiplyIfJuxtaposed() {
            if let last = out.last, last.isLetter || last.isNumber || last == ")" || last == "_" { out += "*" }
        }
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "π":
                multiplyIfJuxtaposed()
                out += "pi"
                if index + 1 < characters.count, characters[index + 1].isLetter || characters[index + 1].isNumber
                    || characters[index + 1] == "(" {
                    out += "*"
                }
                index += 1
            case "√":
                multiplyIfJuxtaposed()
                index += 1
                if index < characters.count, characters[index] == "(" {
                    out += "sqrt"
                } else {
                    var operand = ""
                    while index < characters.count, characters[index].isLetter || characters[index].isNumber
                        || characters[index] == "." || characters[index] == "_" {
                        operand.append(characters[index])
                        index += 1
                    }
                    out += "sqrt(\(operand == "π" ? "pi" : operand))"
                }
            default:
                out.append(character)
                index += 1
            }
        }
        return out
    }

    /// The identifier-like words in `text`: runs of letters, digits and `_` that start with a letter or
    /// `_` (so `2read` yields `read`, which Giac would read as `2*read`).
    static func identifiers(in text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character == "_" || (character.isNumber && !current.isEmpty) {
                current.append(character)
            } else {
                if !current.isEmpty { words.append(current) }
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
