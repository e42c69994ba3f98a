import AgentRuntime
import ArgumentParser

/// `loom replay`: Replay a recorded trace offline or live and report where it diverges.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Replay a recorded trace offline or live and report where it diverges.")

    func run() async throws { try notYet("loom replay") }
}
