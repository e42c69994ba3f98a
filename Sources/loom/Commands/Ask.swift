import AgentRuntime
import ArgumentParser
import Foundation

/// `loom ask`: Answer a multi-step question: plan, call tools, answer, and write a trace.
struct Ask: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ask", abstract: "Answer a multi-step question: plan, call tools, answer, and write a trace.")

    @Argument(help: "The question.") var question: String
    @Option(help: "Agent name (Agents/<name>.yaml) or path to an agent file.") var agent = "default"
    @Option(help: "Model name (see 'loom models list') or path to a .gguf file; default: the agent's model.") var model: String?
    @Option(help: "Sampling seed (recorded in the trace).") var seed: UInt64?
    @Option(help: "Maximum tool calls.") var maxSteps: Int?
    @Option(help: "Planner strategy: plan-execute, react or checked-reasoning (a routing agent passes it on to the agent it chooses).") var strategy: String?
    @Option(help: "Where to write the trace (default: $LOOM_HOME/traces/…).") var trace: String?
    @Option(help: "A private host web-fetch may reach in this run (repeatable).") var allowHost: [String] = []
    @Option(help: "Threads of the forward pass.") var threads = 2
    @Option(help: "Context length of a local model in tokens (default: its trained length, at most 16384).") var ctx: Int?
    @Flag(help: "Also print each model call's token counts and timings.") var verbose = false
    @Flag(help: "Print one machine-readable result as JSON.") var json = false

    func validate() throws {
        guard ctx.map({ $0 >= 256 }) ?? true else { throw ValidationError("--ctx must be at least 256") }
    }

    func run() async throws {
        let loaded = Result { try AskOverrides(seed: seed, maxSteps: maxSteps, strategy: strategy).agent(named: agent) }
        let definition = try loaded.mapError { ValidationError("\($0)") }.get()
        let tracePath = trace ?? QuestionRunner.defaultTracePath(agent: definition.name)
        // On a terminal the answer appears as it is generated; pipes and --json get the finished answer only.
        let streaming = !json && isatty(STDOUT_FILENO) != 0
        let toStdout: @Sendable (String) -> Void = { text in FileHandle.standardOutput.write(Data(text.utf8)) }
        let printer = AskProgressPrinter(verbose: verbose, answerOutput: streaming ? toStdout : nil)
        // On a terminal a long prompt shows how far the model has read it.
        let progress: (@Sendable (Int, Int) -> Void)? = !json && isatty(STDERR_FILENO) != 0
            ? { @Sendable computed, total in printer.promptProgress(computed: computed, total: total) } : nil
        let runner = QuestionRunner(components: .standard(webFetchAllowHosts: allowHost, threads: threads, contextLength: ctx,
                                                          promptProgress: progress))
        do {
            let result = try await runner.run(question: question, agent: definition, modelName: model,
                                              runSeed: definition.sampling.seed, tracePath: tracePath,
                                              progress: json ? nil : printer.callback)
            if json {
                print(AskReport.json(result))
            } else {
                if streaming {
                    FileHandle.standardOutput.write(Data(printer.remainder(of: result.outcome.answer).utf8))
                } else {
                    print(AskReport.answer(result))
                }
                FileHandleOutput.standardError(AskReport.footer(result) + "\n")
            }
        } catch {
            FileHandleOutput.standardError("loom ask: \(error)\n(trace: \(tracePath))\n")
            throw ExitCode(1)
        }
    }
}
