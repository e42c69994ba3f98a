import AgentRuntime
import ArgumentParser

/// `loom bench`: Benchmark prompt processing and generation speed, like llama-bench.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Benchmark prompt processing and generation speed, like llama-bench.")

    func run() async throws { try notYet("loom bench") }
}
