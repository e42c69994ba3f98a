/// Makes untrusted text (plugin results, fetched pages, model output quoting them) safe to print on a
/// terminal: every character a terminal would act on instead of showing becomes a visible escape.
///
/// ESC (and with it every CSI/OSC sequence: colours, cursor moves, window titles, hyperlinks), the other
/// C0 controls, DEL and the C1 controls (U+0080–U+009F, which some terminals read as CSI/OSC) become
/// `\x1b`, `\x00`, `\x9b`, …; carriage return becomes `\r` so it cannot overwrite a line. The Unicode
/// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what is shown,
/// become `\u{202E}`. Line feeds and tabs stay when the output is multi-line, and become `\n` and `\t`
/// otherwise. A backslash stays as it is: the result is for reading, not for parsing back.
public enum TerminalText {
    /// `text` with every control character replaced by a visible escape.
    ///
    /// - Parameter multiline: keep line feeds and tabs (for output that spans lines); when false they
    ///   become `\n` and `\t` too.
    public static func neutralized(_ text: String, multiline: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0, multiline: multiline) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar, multiline: multiline) else {
                out.append(scalar)
                continue
            }
            out.append(contentsOf: escape(scalar).unicodeScalars)
        }
        return String(out)
    }

    private static func needsEscape(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return !multiline
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x09: return "\\t"
        case 0x0D: return "\\r"
        case 0x00...0xFF:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        default: return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        }
    }
}
