import Foundation
import GGUF

/// The text `loom models info FILE` prints: architecture, parameter count, tensor types, context length,
/// vocabulary size and chat template.
public enum ModelInfoReport {
    /// Opens the GGUF file (validating it) and describes it.
    public static func describe(path: String) throws -> String {
        let file = try GGUFFile(path: path)
        let summary = file.summary
        var lines: [String] = []
        lines.append("file:           \(path)")
        lines.append("gguf version:   \(summary.version)")
        lines.append("name:           \(summary.name ?? "-")")
        lines.append("architecture:   \(summary.architecture ?? "-")")
        lines.append("parameters:     \(formatCount(summary.parameterCount))")
        lines.append("layers:         \(summary.layerCount.map(String.init) ?? "-")")
        lines.append("embedding:      \(summary.embeddingLength.map(String.init) ?? "-")")
        lines.append("context length: \(summary.contextLength.map(String.init) ?? "-")")
        lines.append("vocabulary:     \(summary.vocabularySize.map(String.init) ?? "-") (\(summary.tokenizerModel ?? "no tokenizer"))")
        lines.append("chat template:  \(chatTemplateFamily(file))")
        lines.append("file size:      \(ByteCount.format(Int64(summary.fileSize)))")
        lines.append("tensors:        \(summary.tensorCount)")
        let types = summary.tensorTypes.keys.sorted { summary.tensorBytes[$0, default: 0] > summary.tensorBytes[$1, default: 0] }
        for type in types {
            lines.append("  \(String(describing: type).padding(toLength: 6, withPad: " ", startingAt: 0)) "
                + "\(summary.tensorTypes[type, default: 0]) tensors, \(ByteCount.format(Int64(summary.tensorBytes[type, default: 0])))")
        }
        return lines.joined(separator: "\n")
    }

    /// Names the chat-template family by the markers in `tokenizer.chat_template`.
    static func chatTemplateFamily(_ file: GGUFFile) -> String {
        guard let template = file.metadata["tokenizer.chat_template"]?.string else { return "none" }
        if template.contains("<|im_start|>") {
            return template.contains("<tool_call>") ? "chatml with tool calls (qwen2.5)" : "chatml"
        }
        return "unrecognised (\(template.count) characters)"
    }

    private static func formatCount(_ n: Int) -> String {
        n >= 1_000_000_000 ? String(format: "%.2f B", Double(n) / 1e9) : String(format: "%.1f M", Double(n) / 1e6)
    }
}
