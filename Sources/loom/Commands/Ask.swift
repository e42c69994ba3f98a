import AgentRuntime
import ArgumentParser

/// `loom ask`: Answer a multi-step question: plan, call tools, answer, and write a trace.
struct Ask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "Answer a multi-step question: plan, call tools, answer, and write a trace.")

    func run() async throws { try notYet("loom ask") }
}
