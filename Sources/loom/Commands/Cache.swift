import AgentRuntime
import ArgumentParser

/// `loom cache`: the caches on disk (saved keys and values of agents' prompt prefixes, and models'
/// repacked weight panels).
struct Cache: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache", abstract: "List or clear the caches on disk (prompt prefixes' keys and values, repacked weights).",
        subcommands: [List.self, Clear.self])

    /// `loom cache list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the prompt cache's entries and the panel cache's files, most recently used first.")

        func run() throws { print(ModelCacheSettings().listing()) }
    }

    /// `loom cache clear`.
    struct Clear: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove every entry of the prompt cache and the panel cache.")

        func run() throws { print(try ModelCacheSettings().clear()) }
    }
}
