import AgentCore
import Foundation
import PluginHost

extension PluginCommands {
    /// What `loom plugins import` did with one server of the configuration.
    public struct ImportOutcome: Sendable, Equatable {
        /// The server's key in the configuration.
        public var key: String
        /// The manifest written (nil when skipped or in a dry run).
        public var manifestFile: String?
        /// The plugin name it was registered as, when it started and listed its tools.
        public var registered: String?
        /// The tools it listed.
        public var tools: [String]
    }

    /// Imports an MCP server configuration (`mcpServers` of Claude Desktop / Cursor, `servers` of VS Code):
    /// writes one manifest per server into `directory` (default `$LOOM_HOME/imported`), prints what each
    /// may touch, and registers those that start under their sandbox and list their tools.
    ///
    /// - Parameters:
    ///   - dryRun: print the manifests and what each may touch; write, start and register nothing.
    /// - Returns: the report to print and one outcome per server.
    public func importConfig(path: String, directory: String?, dryRun: Bool, allowUnsandboxed: Bool) async throws
        -> (text: String, outcomes: [ImportOutcome])
    {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let servers = try MCPConfigImport.read(url)
        let folder = directory.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
            ?? setup.home.root.appendingPathComponent("imported", isDirectory: true)
        let registered = Set(try setup.registry.load().plugins.map(\.manifest.name))
        var lines = ["\(servers.count) server(s) in \(url.path)\(dryRun ? " (dry run: nothing is written, started or registered)" : "")"]
        var outcomes: [ImportOutcome] = []
        for server in servers {
            var outcome = ImportOutcome(key: server.key, manifestFile: nil, registered: nil, tools: [])
            defer { outcomes.append(outcome) }
            lines.append("")
            guard let manifest = server.manifest else {
                lines.append("\(server.key): skipped: \(server.skipped ?? "not importable")")
                continue
            }
            lines.append("\(server.key) -> plugin '\(manifest.name)': \(manifest.url ?? manifest.command.joined(separator: " "))")
            let resolver = CommandResolver(executableDirectory: setup.executableDirectory, searchPath: setup.searchPath)
            let executable = manifest.command.first.flatMap {
                try? resolver.resolve($0, manifestDirectory: url.deletingLastPathComponent())
            }
            lines.append("  may touch: " + MCPConfigImport.describeAccess(manifest, executable: executable))
            if !server.referencedVariables.isEmpty {
                lines.append("  secrets: taken from loom's environment at start, not copied: "
                    + server.referencedVariables.map { "$\($0)" }.joined(separator: ", "))
            }
            for note in server.notes { lines.append("  note: \(note)") }
            if registered.contains(manifest.name) {
                lines.append("  not imported: a plugin named '\(manifest.name)' is already registered")
                continue
            }
            let file = folder.appendingPathComponent("\(manifest.name).json")
            if dryRun {
                lines.append("  manifest (\(file.path)):")
                lines.append("    " + (try Self.encode(manifest)).replacingOccurrences(of: "\n", with: "\n    "))
                continue
            }
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data((try Self.encode(manifest) + "\n").utf8).write(to: file, options: .atomic)
            } catch {
                lines.append("  not imported: cannot write \(file.path): \(error)")
                continue
            }
            outcome.manifestFile = file.path
            lines.append("  wrote \(file.path)")
            do {
                let candidate = RegisteredPlugin(manifest: try Manifest.load(from: file), manifestURL: file, source: .user)
                let tools = try await listTools(of: candidate, allowUnsandboxed: allowUnsandboxed).tools
                try setup.registry.add(manifestAt: file)
                outcome.registered = manifest.name
                outcome.tools = tools.map(\.name)
                lines.append("  registered with \(tools.count) tool(s): \(tools.map(\.name).joined(separator: ", "))")
            } catch {
                lines.append("  not registered: \(error)")
                lines.append("  fix \(file.path), then: loom plugins add \(file.path)")
            }
        }
        return (TerminalText.neutralized(lines.joined(separator: "\n")), outcomes)
    }

    /// A manifest as pretty JSON with sorted keys.
    static func encode(_ manifest: Manifest) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(manifest), as: UTF8.self)
    }
}
