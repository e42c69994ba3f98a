import AgentCore

/// Reads an MCP `CallToolResult` object (`content`, `isError`, `structuredContent`) into text for the model.
enum MCPResult {
    /// Text of all content items (non-text items described in brackets), the error flag and structured content.
    static func flatten(_ result: JSONValue) -> (text: String, isError: Bool, structured: JSONValue?) {
        guard let object = result.objectValue else {
            return ("the plugin returned a malformed tools/call result (not an object): \(result.compactText.prefix(200))", true, nil)
        }
        let isError = object["isError"]?.boolValue ?? false
        let structured = object["structuredContent"].flatMap { $0 == .null ? nil : $0 }
        guard let items = object["content"]?.arrayValue else {
            if let structured { return (structured.compactText, isError, structured) }
            return ("the plugin returned a malformed tools/call result (no 'content' array): \(result.compactText.prefix(200))", true, nil)
        }
        let parts = items.map { item -> String in
            let type = item["type"]?.stringValue ?? "unknown"
            switch type {
            case "text": return item["text"]?.stringValue ?? ""
            case "resource":
                if let text = item["resource"]?["text"]?.stringValue { return text }
                return "[resource \(item["resource"]?["uri"]?.stringValue ?? "?") not shown]"
            case "resource_link": return "[link \(item["uri"]?.stringValue ?? "?")]"
            default:
                let mime = item["mimeType"]?.stringValue.map { " \($0)" } ?? ""
                return "[\(type)\(mime) content not shown]"
            }
        }
        var text = parts.joined(separator: "\n")
        if text.isEmpty, let structured { text = structured.compactText }
        return (text, isError, structured)
    }
}
