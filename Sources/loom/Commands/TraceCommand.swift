import AgentRuntime
import ArgumentParser

/// `loom trace`: Show a recorded trace as text or as an HTML timeline.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Show a recorded trace as text or as an HTML timeline.")

    func run() async throws { try notYet("loom trace") }
}
