import Foundation
import MCP

/// One tool a plugin offers: its name, description, JSON Schema for arguments, and the handler.
public struct PluginTool: Sendable {
    /// The tool's name as the model will call it.
    public let name: String
    /// A short description with one example, written for a small model.
    public let description: String
    /// JSON Schema of the arguments object.
    public let inputSchema: Value
    /// Runs the tool. Throwing `PluginToolError` produces an `isError` result the model can read.
    public let handler: @Sendable ([String: Value]) async throws -> PluginToolOutput

    /// Creates a tool.
    public init(name: String, description: String, inputSchema: Value,
                handler: @escaping @Sendable ([String: Value]) async throws -> PluginToolOutput) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
        self.handler = handler
    }
}

/// What a tool returns: text for the model and, optionally, a structured value.
public struct PluginToolOutput: Sendable {
    /// Plain text shown to the model.
    public var text: String
    /// Optional machine-readable result (`structuredContent` in MCP).
    public var structured: Value?

    /// Creates an output.
    public init(text: String, structured: Value? = nil) {
        self.text = text
        self.structured = structured
    }
}

/// An error a tool reports to the model (becomes an MCP result with `isError: true`).
public struct PluginToolError: Error, Sendable, CustomStringConvertible {
    /// The message the model reads; it should say what to fix.
    public let message: String

    /// Creates an error with a message for the model.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

/// A minimal MCP server over stdio: `initialize`, `tools/list`, `tools/call`.
///
/// Loom's own plugins are built on this; it is a thin layer over the swift-sdk `Server`.
public struct PluginServer: Sendable {
    /// Server name reported in `initialize`.
    public let name: String
    /// Server version reported in `initialize`.
    public let version: String
    /// The tools, in the order `tools/list` reports them.
    public let tools: [PluginTool]

    /// Creates a server.
    public init(name: String, version: String, tools: [PluginTool]) {
        self.name = name
        self.version = version
        self.tools = tools
    }

    /// Dispatches one call to the named tool; unknown tools and thrown errors become `isError` results.
    public func call(_ toolName: String, arguments: [String: Value]) async -> CallTool.Result {
        guard let tool = tools.first(where: { $0.name == toolName }) else {
            let known = tools.map(\.name).joined(separator: ", ")
            return .init(content: [Self.text("unknown tool '\(toolName)'; this plugin offers: \(known)")], isError: true)
        }
        do {
            let output = try await tool.handler(arguments)
            return .init(content: [Self.text(output.text)], structuredContent: output.structured, isError: false)
        } catch let error as PluginToolError {
            return .init(content: [Self.text(error.message)], isError: true)
        } catch {
            return .init(content: [Self.text("\(tool.name) failed: \(error)")], isError: true)
        }
    }

    /// A plain text content item.
    static func text(_ text: String) -> Tool.Content { .text(text: text, annotations: nil, _meta: nil) }

    /// Serves MCP over stdin/stdout until the client closes the connection.
    public func run() async throws {
        try await run(transport: StdioLineTransport())
    }

    /// Serves MCP over `transport` until the client closes the connection.
    public func run(transport: any Transport) async throws {
        let server = Server(name: name, version: version, capabilities: .init(tools: .init(listChanged: false)))
        let tools = self.tools
        await server.withMethodHandler(ListTools.self) { _ in
            .init(tools: tools.map { Tool(name: $0.name, description: $0.description, inputSchema: $0.inputSchema) })
        }
        let this = self
        await server.withMethodHandler(CallTool.self) { params in
            await this.call(params.name, arguments: params.arguments ?? [:])
        }
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }
}

extension Dictionary where Key == String, Value == MCP.Value {
    /// Reads a required string argument or throws a message that names the argument.
    public func requiredString(_ key: String) throws -> String {
        guard let value = self[key] else { throw PluginToolError("missing required argument '\(key)'") }
        guard let text = value.stringValue else {
            throw PluginToolError("argument '\(key)' must be a string, got \(value)")
        }
        return text
    }

    /// Reads an optional integer argument (accepts whole doubles and numeric strings).
    public func optionalInt(_ key: String) throws -> Int? {
        guard let value = self[key], !value.isNull else { return nil }
        if let int = value.intValue { return int }
        if let double = value.doubleValue, double.rounded() == double, abs(double) < 1e15 { return Int(double) }
        if let text = value.stringValue, let int = Int(text) { return int }
        throw PluginToolError("argument '\(key)' must be an integer, got \(value)")
    }
}
