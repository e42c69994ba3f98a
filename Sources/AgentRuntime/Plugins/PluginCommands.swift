import AgentCore
import Foundation
import PluginHost

/// The work behind `loom plugins add|list|show|remove|test`; each returns the text to print.
public struct PluginCommands: Sendable {
    /// Where plugins are found and how they are launched.
    public var setup: PluginSetup

    /// Creates the commands over `setup`.
    public init(setup: PluginSetup = PluginSetup()) { self.setup = setup }

    /// What went wrong in a plugin command that is not a `PluginHostError`.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        /// `--args` is not a JSON object.
        case invalidArguments(text: String, reason: String)

        /// A sentence for the user.
        public var description: String {
            switch self {
            case .invalidArguments(let text, let reason):
                return "--args must be a JSON object, e.g. '{\"expression\": \"2+2\"}'; got \(text.prefix(80)) (\(reason))"
            }
        }
    }

    /// Validates the manifest at `path`, starts the plugin, checks its declared tools and records it.
    public func add(path: String, allowUnsandboxed: Bool) async throws -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let manifest = try Manifest.load(from: url)
        let registry = setup.registry
        let existing = try registry.load().plugins
        if let clash = existing.first(where: { $0.manifest.name == manifest.name }) {
            throw PluginHostError.nameClash(name: manifest.name,
                                            existing: "\(clash.source.rawValue), \(clash.manifestURL.path)")
        }
        let candidate = RegisteredPlugin(manifest: manifest, manifestURL: url, source: .user)
        let offered = try await listTools(of: candidate, allowUnsandboxed: allowUnsandboxed).tools
        let missing = (manifest.tools ?? []).filter { name in !offered.contains { $0.name == name } }
        guard missing.isEmpty else {
            throw PluginHostError.missingTools(plugin: manifest.name, missing: missing, offered: offered.map(\.name))
        }
        let added = try registry.add(manifestAt: url)
        return "added plugin '\(added.manifest.name)' \(added.manifest.version) with \(offered.count) tool(s): "
            + offered.map(\.name).joined(separator: ", ")
    }

    /// The table (or JSON array) of registered plugins: name, version, tools, source.
    public func list(json: Bool) throws -> String {
        let listing = try setup.registry.load()
        if json {
            let rows: [JSONValue] = listing.plugins.map { plugin in
                ["name": .string(plugin.manifest.name), "version": .string(plugin.manifest.version),
                 "description": .string(plugin.manifest.description), "source": .string(plugin.source.rawValue),
                 "manifest": .string(plugin.manifestURL.path),
                 "tools": plugin.manifest.tools.map { .array($0.map(JSONValue.string)) } ?? .null]
            }
            return JSONValue.array(rows).prettyText
        }
        let rows = listing.plugins.map { plugin in
            [plugin.manifest.name, plugin.manifest.version,
             plugin.manifest.tools?.joined(separator: ",") ?? "(listed at start)", plugin.source.rawValue]
        }
        var text = TextTable.render(header: ["NAME", "VERSION", "TOOLS", "SOURCE"], rows: rows)
        for problem in listing.problems { text += "\nproblem: \(problem)" }
        return text
    }

    /// Starts plugin `name` and describes each tool with its input schema (plugin text with control
    /// characters shown as escapes, unless `json`).
    public func show(name: String, json: Bool, allowUnsandboxed: Bool) async throws -> String {
        let plugin = try setup.registry.plugin(named: name)
        let (tools, serverInfo) = try await listTools(of: plugin, allowUnsandboxed: allowUnsandboxed)
        let manifest = plugin.manifest
        if json {
            let document: JSONValue = [
                "name": .string(manifest.name), "version": .string(manifest.version),
                "description": .string(manifest.description), "source": .string(plugin.source.rawValue),
                "manifest": .string(plugin.manifestURL.path), "server": serverInfo ?? .null,
                "tools": .array(tools.map { ["name": .string($0.name), "description": .string($0.description),
                                             "inputSchema": $0.inputSchema] }),
            ]
            return document.prettyText
        }
        var lines = ["\(manifest.name) \(manifest.version) (\(plugin.source.rawValue), \(plugin.manifestURL.path))"]
        if !manifest.description.isEmpty { lines.append(manifest.description) }
        let sandbox = manifest.sandbox
        lines.append("sandbox: network \(sandbox.network ? "yes" : "no"), cpu \(sandbox.cpuSeconds) s, "
            + "memory \(sandbox.memoryMB) MiB, wall \(sandbox.wallSeconds) s per call, stdout \(sandbox.maxOutputBytes) bytes")
        for tool in tools {
            lines.append("")
            lines.append("\(manifest.name).\(tool.name)")
            if !tool.description.isEmpty { lines.append("  " + tool.description.replacingOccurrences(of: "\n", with: "\n  ")) }
            lines.append("  input schema: " + tool.inputSchema.prettyText.replacingOccurrences(of: "\n", with: "\n  "))
        }
        return TerminalText.neutralized(lines.joined(separator: "\n"))
    }

    /// Removes the user plugin `name`.
    public func remove(name: String) throws -> String {
        try setup.registry.remove(named: name)
        return "removed plugin '\(name)'"
    }

    /// Calls `tool` of plugin `name` once with `arguments` (JSON text). Without `json` the plugin's text
    /// has its control characters shown as escapes (`TerminalText`), so it cannot drive the terminal.
    ///
    /// - Parameters:
    ///   - allowHosts: passed to the plugin as `LOOM_WEB_FETCH_ALLOW_HOSTS` (comma-separated).
    /// - Returns: the text to print and whether the call failed.
    public func test(name: String, tool: String, arguments: String, json: Bool, allowHosts: [String],
                     allowUnsandboxed: Bool) async throws -> (text: String, isError: Bool) {
        let parsed: JSONValue
        do { parsed = try JSONValue.parse(arguments) } catch {
            throw Failure.invalidArguments(text: arguments, reason: "not valid JSON")
        }
        guard parsed.objectValue != nil else { throw Failure.invalidArguments(text: arguments, reason: "not an object") }
        let plugin = try setup.registry.plugin(named: name)
        let environment = allowHosts.isEmpty ? [:] : [name: ["LOOM_WEB_FETCH_ALLOW_HOSTS": allowHosts.joined(separator: ",")]]
        let executor = try setup.executor(plugins: [plugin], allowUnsandboxed: allowUnsandboxed, environment: environment)
        _ = try await executor.start(pluginNamed: name)
        let (result, mcp) = await executor.callReturningMCPResult(
            ToolCall(id: "test-1", name: "\(name).\(tool)", arguments: parsed))
        await executor.shutdown()
        if json {
            let document = mcp ?? ["content": [["type": "text", "text": .string(result.content)]], "isError": true]
            return (document.prettyText, result.isError)
        }
        let status = result.isError ? "error" : "ok"
        return ("\(TerminalText.neutralized(result.content))\n-- \(status), \(String(format: "%.1f", result.durationSeconds * 1000)) ms", result.isError)
    }

    func listTools(of plugin: RegisteredPlugin, allowUnsandboxed: Bool) async throws
        -> (tools: [PluginToolInfo], serverInfo: JSONValue?)
    {
        let executor = try setup.executor(plugins: [plugin], allowUnsandboxed: allowUnsandboxed)
        do {
            let listed = try await executor.start(pluginNamed: plugin.manifest.name)
            await executor.shutdown()
            return listed
        } catch {
            await executor.shutdown()
            throw error
        }
    }
}
