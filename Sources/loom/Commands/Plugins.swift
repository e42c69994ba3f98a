import AgentRuntime
import ArgumentParser

/// `loom plugins`: Register, list, inspect, test and remove plugins.
struct Plugins: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plugins", abstract: "Register, list, inspect, test and remove plugins.")

    func run() async throws { try notYet("loom plugins") }
}
