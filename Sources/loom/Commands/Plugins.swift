import AgentCore
import AgentRuntime
import ArgumentParser
import Foundation

/// `loom plugins`: Register, list, inspect, test and remove plugins.
struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins", abstract: "Register, list, inspect, test and remove plugins.",
        subcommands: [Add.self, Import.self, List.self, Show.self, Remove.self, Test.self, Bench.self])

    /// The flag that runs plugins without bubblewrap.
    struct SandboxOptions: ParsableArguments {
        @Flag(name: .customLong("unsafe-no-sandbox"),
              help: "Run plugins WITHOUT the bubblewrap sandbox (only rlimits apply). Dangerous.")
        var unsafeNoSandbox = false

        func warnIfUnsafe() {
            if unsafeNoSandbox { FileHandleOutput.standardError(PluginSetup.unsandboxedWarning) }
        }
    }

    /// `loom plugins add PATH`.
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a manifest, start the plugin, check its tools and register it.")

        @Argument(help: "Path to the plugin's manifest (JSON or YAML).") var path: String
        @OptionGroup var sandbox: SandboxOptions

        func run() async throws {
            sandbox.warnIfUnsafe()
            print(try await PluginCommands().add(path: path, allowUnsandboxed: sandbox.unsafeNoSandbox))
        }
    }

    /// `loom plugins import FILE`.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import the servers of an MCP config (Claude Desktop/Cursor mcpServers, VS Code servers).",
            discussion: "Writes one manifest per server with a default sandbox (secrets stay references to "
                + "environment variables), prints what each may touch, and registers those that start.")

        @Argument(help: "The configuration file (claude_desktop_config.json, .cursor/mcp.json, .vscode/mcp.json).")
        var path: String
        @Option(help: "Where to write the manifests (default: $LOOM_HOME/imported).") var into: String?
        @Flag(help: "Print the manifests and what each server may touch; write, start and register nothing.")
        var dryRun = false
        @OptionGroup var sandbox: SandboxOptions

        func run() async throws {
            sandbox.warnIfUnsafe()
            let (text, outcomes) = try await PluginCommands().importConfig(
                path: path, directory: into, dryRun: dryRun, allowUnsandboxed: sandbox.unsafeNoSandbox)
            print(text)
            if !dryRun && !outcomes.isEmpty && outcomes.allSatisfy({ $0.registered == nil }) { throw ExitCode(1) }
        }
    }

    /// `loom plugins list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List plugins: name, version, tools, source.")

        @Flag(help: "Print JSON.") var json = false

        func run() async throws { print(try PluginCommands().list(json: json)) }
    }

    /// `loom plugins show NAME`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a plugin and show each tool with its input schema.")

        @Argument(help: "Plugin name.") var name: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var sandbox: SandboxOptions

        func run() async throws {
            sandbox.warnIfUnsafe()
            print(try await PluginCommands().show(name: name, json: json, allowUnsandboxed: sandbox.unsafeNoSandbox))
        }
    }

    /// `loom plugins remove NAME`.
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user-added plugin.")

        @Argument(help: "Plugin name.") var name: String

        func run() async throws { print(try PluginCommands().remove(name: name)) }
    }

    /// `loom plugins test NAME TOOL --args JSON`.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Call one tool once and print the result and timing.")

        @Argument(help: "Plugin name.") var name: String
        @Argument(help: "Tool name.") var tool: String
        @Option(name: .customLong("args"), help: "Arguments as a JSON object.") var arguments = "{}"
        @Flag(help: "Print the MCP result object as JSON.") var json = false
        @Option(name: .customLong("allow-host"), help: "A host the plugin may fetch from (web-fetch; repeatable).")
        var allowHosts: [String] = []
        @OptionGroup var sandbox: SandboxOptions

        func run() async throws {
            sandbox.warnIfUnsafe()
            let (text, isError) = try await PluginCommands().test(
                name: name, tool: tool, arguments: arguments, json: json, allowHosts: allowHosts,
                allowUnsandboxed: sandbox.unsafeNoSandbox)
            print(text)
            if isError { throw ExitCode(1) }
        }
    }

    /// `loom plugins bench NAME TOOL --args JSON`.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure a plugin's sandboxed cold start and warm tools/call round trip.")

        @Argument(help: "Plugin name.") var name: String
        @Argument(help: "Tool name.") var tool: String
        @Option(name: .customLong("args"), help: "Arguments as a JSON object.") var arguments = "{}"
        @Option(help: "Cold starts to time.") var starts = 20
        @Option(help: "Warm calls to time.") var calls = 200
        @OptionGroup var sandbox: SandboxOptions

        func run() async throws {
            sandbox.warnIfUnsafe()
            guard let parsed = try? JSONValue.parse(arguments), parsed.objectValue != nil else {
                throw ValidationError("--args must be a JSON object")
            }
            let report = try await PluginBenchmark.run(
                setup: PluginSetup(), plugin: name, tool: tool, arguments: parsed, starts: starts, calls: calls,
                allowUnsandboxed: sandbox.unsafeNoSandbox)
            print(report.text)
        }
    }
}
