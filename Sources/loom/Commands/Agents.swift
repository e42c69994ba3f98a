import AgentRuntime
import ArgumentParser
import Foundation

/// `loom agents`: the agent definitions and their prompt-cache warm-up.
struct Agents: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents", abstract: "List agents, warm their prompt prefixes in the prompt cache, or see where a routing agent sends questions.",
        subcommands: [List.self, Warm.self, Route.self])

    /// `loom agents list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the agents that --agent can name.")

        func run() throws {
            let rows = AgentLoader.available(in: AgentLoader.directories()).map { name -> [String] in
                guard let agent = try? AgentLoader.load(name) else { return [name, "?", "(does not load: run 'loom ask --agent \(name)' to see why)"] }
                return [name, agent.strategy.rawValue, agent.description]
            }
            print(TextTable.render(header: ["AGENT", "STRATEGY", "DESCRIPTION"], rows: rows))
        }
    }

    /// `loom agents warm`.
    struct Warm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute and save the fixed prompt prefix (system prompt, tools, examples) of agents, so that their first question starts fast.")

        @Argument(help: "Agents to warm (default: all).") var agents: [String] = []
        @Option(help: "Model name or .gguf path (default: each agent's model).") var model: String?
        @Option(help: "Threads of the forward pass.") var threads = 2

        func run() async throws {
            let names = agents.isEmpty ? AgentLoader.available(in: AgentLoader.directories()) : agents
            let warmup = AgentWarmup(components: .standard(threads: threads))
            var failed = false
            for name in names {
                do {
                    for result in try await warmup.warmWithRoutes(try AgentLoader.load(name), modelName: model) {
                        let what = result.tokens == 0 ? "no system prompt to cache"
                            : result.alreadyCached ? "\(result.tokens) tokens already cached (loaded and checked)"
                            : "\(result.tokens) tokens computed and saved"
                        let label = result.agent == name ? name : "\(name) → \(result.agent)"
                        print(String(format: "%@: %@ in %.2f s", label, what, result.seconds))
                    }
                } catch {
                    FileHandleOutput.standardError("loom agents warm: \(name): \(error)\n")
                    failed = true
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// `loom agents route`.
    struct Route: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show which agent a routing agent (strategy: route, like 'default') chooses for each question, without answering it.")

        @Option(help: "The routing agent (name or file).") var agent = "default"
        @Option(help: "Model name or .gguf path (default: the agent's model).") var model: String?
        @Option(help: "Threads of the forward pass.") var threads = 2
        @Flag(help: "Print one JSON object per question: question, agent, seconds.") var json = false
        @Argument(help: "The questions.") var questions: [String]

        func run() async throws {
            let routing = try AgentLoader.load(agent)
            let choices = try await AgentRouting(components: .standard(threads: threads))
                .route(questions, agent: routing, modelName: model)
            for choice in choices {
                if json {
                    print(try choice.jsonLine())
                } else {
                    print(String(format: "%@\t%.2f s\t%@", choice.agent, choice.seconds, choice.question))
                }
            }
        }
    }
}
