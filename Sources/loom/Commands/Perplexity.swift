import AgentRuntime
import ArgumentParser

/// `loom perplexity`: Measure a model's perplexity on a text file.
struct Perplexity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "perplexity", abstract: "Measure a model's perplexity on a text file.")

    func run() async throws { try notYet("loom perplexity") }
}
