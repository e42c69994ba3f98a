import MCP
import PluginKit

/// The MCP tools `run_python` and `run_shell`, wired to a `CodeRunner`.
enum Tools {
    /// Longest source accepted, in bytes.
    static let maximumSourceBytes = 1 << 20
    /// Longest stdin accepted, in bytes.
    static let maximumStdinBytes = 1 << 20

    /// Both tools, in the order `tools/list` reports them.
    static func all(runner: CodeRunner) -> [PluginTool] {
        [
            tool(.python, runner: runner, name: "run_python", sourceKey: "code",
                 description: """
                     Run a Python 3 program in a sandbox (standard library, sympy and numpy; no network, no files kept \
                     between calls) and get its stdout, stderr and exit code. Print what you want to see. \
                     Example: {"code": "import math\\nprint(math.comb(52, 5))"}. Optional: "stdin" (text \
                     the program reads), "timeout_s" (1-60, default 10).
                     """,
                 sourceDescription: "The Python program, e.g. \"print(sum(range(10)))\"."),
            tool(.shell, runner: runner, name: "run_shell", sourceKey: "script",
                 description: """
                     Run a bash script in a sandbox (coreutils, grep, sed, awk, python3; no network; the \
                     working directory is empty and discarded afterwards) and get its stdout, stderr and exit \
                     code. Example: {"script": "printf 'b\\na\\n' | sort | head -1"}. Optional: "stdin", "timeout_s" \
                     (1-60, default 10).
                     """,
                 sourceDescription: "The bash script, e.g. \"echo hello | tr a-z A-Z\"."),
        ]
    }

    private static func tool(_ language: Language, runner: CodeRunner, name: String, sourceKey: String,
                             description: String, sourceDescription: String) -> PluginTool {
        let schema: Value = .object([
            "type": "object",
            "properties": .object([
                sourceKey: .object(["type": "string", "description": .string(sourceDescription)]),
                "stdin": .object(["type": "string", "description": "Optional text given to the program on standard input."]),
                "timeout_s": .object(["type": "integer", "minimum": 1, "maximum": .int(Limits.maximumTimeout),
                                      "description": "Optional wall-clock limit in seconds (default \(Limits.defaultTimeout))."]),
            ]),
            "required": .array([.string(sourceKey)]),
        ])
        return PluginTool(name: name, description: description, inputSchema: schema) { arguments in
            let source = try arguments.requiredString(sourceKey)
            let stdin = try arguments["stdin"].flatMap { value -> String? in
                if value.isNull { return nil }
                guard let text = value.stringValue else {
                    throw PluginToolError("argument 'stdin' must be a string, got \(value)")
                }
                return text
            } ?? ""
            let timeout = try arguments.optionalInt("timeout_s") ?? Limits.defaultTimeout
            guard (1...Limits.maximumTimeout).contains(timeout) else {
                throw PluginToolError("argument 'timeout_s' must be between 1 and \(Limits.maximumTimeout), got \(timeout)")
            }
            guard source.utf8.count <= maximumSourceBytes else {
                throw PluginToolError("argument '\(sourceKey)' is \(source.utf8.count) bytes; the limit is \(maximumSourceBytes)")
            }
            guard stdin.utf8.count <= maximumStdinBytes else {
                throw PluginToolError("argument 'stdin' is \(stdin.utf8.count) bytes; the limit is \(maximumStdinBytes)")
            }
            let repaired = language == .python ? EscapedLineBreaks.repaired(source) : nil
            do {
                let report = try await runner.run(language, source: repaired ?? source, stdin: stdin,
                                                  limits: .standard(timeoutSeconds: timeout))
                guard repaired != nil else { return PluginToolOutput(text: report.text, structured: report.structured) }
                let note = "note: the program arrived on one line with its line breaks written as \\n; they were run as line breaks"
                return PluginToolOutput(text: report.text + "\n" + note, structured: report.structured)
            } catch {
                throw PluginToolError("\(error)")
            }
        }
    }
}
