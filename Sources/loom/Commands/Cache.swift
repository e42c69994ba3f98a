import AgentRuntime
import ArgumentParser

/// `loom cache`: the prompt cache on disk (saved keys and values of agents' prompt prefixes).
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "List or clear the prompt cache (saved keys and values of prompt prefixes).",
        subcommands: [List.self, Clear.self])

    /// `loom cache list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the prompt cache's entries, most recently used first.")

        func run() throws { print(PromptCacheSettings().listing()) }
    }

    /// `loom cache clear`.
    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry of the prompt cache.")

        func run() throws { print(try PromptCacheSettings().clear()) }
    }
}
