import Foundation

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
        source = joinThousands(source)
        source = pythonSums(source)
        while source.hasSuffix("=") && !source.hasSuffix("==") {
            source = String(source.dropLast()).trimmingCharacters(in: .whitespaces)
        }
        guard !source.isEmpty else { throw .invalidArgument(name: argument, problem: "has nothing to compute; give a math expression such as '2*x+1'.") }
        for name in identifiers(in: source) where refusedNames.contains(name) {
            throw .refusedFunction(name: name)
        }
        return source
    }

    /// Rewrites Python's `sum(EXPR for k in range(a, b))` as Giac's `sum(EXPR, k, a, b-1)` (and
    /// `range(b)` as `0 .. b-1`): the spelling small models trained on Python write for a finite sum.
    static func pythonSums(_ text: String) -> String {
        let pattern = #"sum\(\s*(.+?)\s+for\s+([A-Za-z_]\w*)\s+in\s+range\(\s*([^,()]+?)\s*(?:,\s*([^,()]+?)\s*)?\)\s*\)"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return text }
        var out = text
        for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            func group(_ i: Int) -> String? { Range(match.range(at: i), in: text).map { String(text[$0]) } }
            guard let whole = Range(match.range, in: out), let body = group(1), let variable = group(2),
                  let first = group(3) else { continue }
            let (lower, upper) = group(4).map { (first, $0) } ?? ("0", first)
            // `i` and `e` are constants in Giac (sqrt(-1), exp(1)): such an index is renamed.
            var (term, index) = (body, variable)
            if ["i", "e"].contains(variable) {
                index = "idx_"
                term = term.replacingOccurrences(of: "\\b\(variable)\\b", with: index, options: .regularExpression)
            }
            out.replaceSubrange(whole, with: "sum(\(term),\(index),\(lower),(\(upper))-1)")
        }
        return out
    }

    /// Drops thousands separators outside brackets: `1,870,000*0.25` is `1870000*0.25` (Giac would read
    /// a sequence). Only a comma followed by exactly three digits, in a run that starts with one to three
    /// digits, counts; inside `()` `[]` `{}` commas separate arguments and are left alone.
    static func joinThousands(_ text: String) -> String {
        let characters = Array(text)
        var out = ""
        var depth = 0
        var index = 0
        func isDigit(_ i: Int) -> Bool { i >= 0 && i < characters.count && characters[i].isASCIIDigitCharacter }
        func isWordy(_ i: Int) -> Bool {
            i >= 0 && i < characters.count && (characters[i].isLetter || characters[i].isNumber || characters[i] == "_" || characters[i] == ".")
        }
        while index < characters.count {
            let character = characters[index]
            if "([{".contains(character) { depth += 1 }
            if ")]}".contains(character) { depth = max(0, depth - 1) }
            guard depth == 0, isDigit(index), !isWordy(index - 1) else {
                out.append(character)
                index += 1
                continue
            }
            var end = index
            while isDigit(end) { end += 1 }
            var groups: [Int] = []  // start of each ",ddd" group
            var cursor = end
            if end - index <= 3 {
                // A group is followed by an operator, a space, the end, or a decimal point ("1,234.5").
                func endsGroup(_ i: Int) -> Bool { !isWordy(i) || characters[i] == "." }
                while cursor < characters.count, characters[cursor] == ",",
                      isDigit(cursor + 1), isDigit(cursor + 2), isDigit(cursor + 3), endsGroup(cursor + 4) {
                    groups.append(cursor)
                    cursor += 4
                }
            }
            if groups.isEmpty {
                out += String(characters[index..<end])
                index = end
            } else {
                out += String(characters[index..<cursor].filter { $0 != "," })
                index = cursor
            }
        }
        return out
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

    /// The function applied last in `text` when the whole text is one call, `name(...)` (outer brackets
    /// and spaces allowed): `factor(x^4-1)` gives `factor`; `factor(x)/2` and `(x+1)*(x-1)` give nil.
    static func outermostCall(in text: String) -> String? {
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        while body.first == "(", body.last == ")", closingBracket(in: body, openingAt: body.startIndex) == body.index(before: body.endIndex) {
            body = body.dropFirst().dropLast().drop(while: { $0 == " " })
            while body.last == " " { body = body.dropLast() }
        }
        guard let first = body.first, first.isLetter || first == "_" else { return nil }
        let nameEnd = body.firstIndex(where: { !($0.isLetter || $0.isNumber || $0 == "_") }) ?? body.endIndex
        guard let open = body[nameEnd...].firstIndex(where: { $0 != " " }), body[open] == "(",
              closingBracket(in: body, openingAt: open) == body.index(before: body.endIndex) else { return nil }
        return String(body[..<nameEnd])
    }

    /// The index of the bracket that closes the one at `open`, or nil when it is never closed.
    private static func closingBracket(in text: Substring, openingAt open: Substring.Index) -> Substring.Index? {
        var depth = 0
        var index = open
        while index < text.endIndex {
            switch text[index] {
            case "(", "[", "{": depth += 1
            case ")", "]", "}":
                depth -= 1
                if depth == 0 { return index }
            default: break
            }
            index = text.index(after: index)
        }
        return nil
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
