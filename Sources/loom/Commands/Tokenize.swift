import AgentRuntime
import ArgumentParser

/// `loom tokenize`: Print the token ids of a text under a model's tokenizer.
struct Tokenize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokenize", abstract: "Print the token ids of a text under a model's tokenizer.")

    func run() async throws { try notYet("loom tokenize") }
}
