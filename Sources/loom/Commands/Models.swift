import AgentRuntime
import ArgumentParser

/// `loom models`: List, pull and locate the GGUF models Loom knows.
struct Models: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "models", abstract: "List, pull and locate the GGUF models Loom knows.")

    func run() async throws { try notYet("loom models") }
}
