import AgentRuntime
import ArgumentParser

/// The `loom` command: a local tool-using agent.
@main
struct Loom: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loom",
        abstract: "A local tool-using agent: plans with a local model, calls sandboxed plugins, records replayable traces.",
        version: LoomVersion.current,
        subcommands: [
            Ask.self, Plugins.self, Replay.self, TraceCommand.self, Models.self,
            Generate.self, Tokenize.self, Perplexity.self, Bench.self, Eval.self, Agents.self, Cache.self, Serve.self,
        ]
    )
}

/// Ends a command that is not built yet with a clear message and a non-zero status.
func notYet(_ what: String) throws -> Never {
    FileHandleOutput.standardError("loom: \(what) is not implemented yet in this version.\n")
    throw ExitCode(2)
}
