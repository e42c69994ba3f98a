import Foundation

/// `${NAME}` references in manifest strings, filled from Loom's own environment when a plugin starts.
///
/// A manifest can name a secret without holding it: `"env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}` passes
/// the value loom was started with, and the manifest file (written by `loom plugins import`, kept in a
/// repository, shown by `plugins show`) never contains it. `NAME` is a variable name (`[A-Za-z_][A-Za-z0-9_]*`);
/// any other `$` is kept as written.
public enum EnvironmentReference {
    /// The variable names referenced in `text`, in order of appearance.
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        _ = substitute(text) { names.append($0); return "" }
        return names
    }

    /// `text` with each `${NAME}` replaced by `environment[NAME]`.
    ///
    /// - Parameters:
    ///   - field: the manifest field holding `text`, named in the error (`env.GITHUB_TOKEN`).
    ///   - plugin: the plugin's name, named in the error.
    /// - Throws: `PluginHostError.launchFailed` naming the first variable that is not set.
    public static func expand(_ text: String, field: String, plugin: String, environment: [String: String]) throws -> String {
        var missing: String?
        let result = substitute(text) { name in
            if let value = environment[name] { return value }
            if missing == nil { missing = name }
            return ""
        }
        if let missing {
            throw PluginHostError.launchFailed(
                plugin: plugin, reason: "its manifest's \(field) refers to ${\(missing)}, which is not set in loom's "
                    + "environment; set it (export \(missing)=...) before running loom")
        }
        return result
    }

    private static func substitute(_ text: String, _ value: (String) -> String) -> String {
        guard text.contains("${") else { return text }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            let after = rest[start.upperBound...]
            if let end = after.firstIndex(of: "}"), isName(after[..<end]) {
                output += value(String(after[..<end]))
                rest = after[after.index(after: end)...]
            } else {
                output += "${"
                rest = after
            }
        }
        return output + rest
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.unicodeScalars.first, text.count <= 128 else { return false }
        let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "_" }
        return isLetter(first) && text.unicodeScalars.allSatisfy { isLetter($0) || ("0"..."9").contains($0) }
    }
}
