import AgentRuntime
import ArgumentParser

/// `loom generate`: Generate text from a GGUF model (streams tokens).
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate text from a GGUF model (streams tokens).")

    func run() async throws { try notYet("loom generate") }
}
