import AgentRuntime
import ArgumentParser
import Foundation

/// `loom eval`: Run an evaluation set of questions with checkable answers and print the score.
struct Eval: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Run an evaluation set of questions with checkable answers and print the score.")

    @Argument(help: "The evaluation file (JSON Lines), e.g. evals/questions.jsonl.") var file: String?
    @Option(help: "Ask every question with this agent instead of each case's own.") var agent: String?
    @Option(help: "Use this planner strategy for every agent (plan-execute, react or checked-reasoning; routing agents pass it on).") var strategy: String?
    @Option(help: "Use this model for every agent.") var model: String?
    @Option(help: "Only the cases with these ids (comma-separated).") var only: String?
    @Option(help: "Only the cases of these categories (comma-separated), e.g. word.") var category: String?
    @Option(help: "Directory served on 127.0.0.1 for {{site}} questions (default: 'site' next to the file).") var site: String?
    @Option(help: "Where to write one trace per question (default: $LOOM_HOME/traces/eval-<time>).") var traces: String?
    @Option(help: "Threads of the forward pass.") var threads = 2
    @Option(help: "Context length of a local model in tokens (default: its trained length, at most 16384).") var ctx: Int?
    @Option(help: "Planner policies for every agent: names replace the agent's; -name drops one, +name adds one (e.g. -repeated-operand).")
    var policies: String?
    @Flag(help: "Print the full report as JSON.") var json = false
    @Flag(help: "Ask each case's model alone, without tools or planner (step-by-step reasoning, one call): the baseline to beat.")
    var withoutTools = false
    @Option(parsing: .upToNextOption,
            help: ArgumentHelp("Compare two reports saved with --json question by question (RUN_A.json RUN_B.json) instead of running.",
                               valueName: "report"))
    var compare: [String] = []

    func validate() throws {
        guard ctx.map({ $0 >= 256 }) ?? true else { throw ValidationError("--ctx must be at least 256") }
        if !compare.isEmpty {
            guard compare.count == 2 else { throw ValidationError("--compare takes two reports: RUN_A.json RUN_B.json") }
            guard file == nil else { throw ValidationError("--compare does not run an evaluation file; give only the two reports") }
        } else if file == nil {
            throw ValidationError("Missing expected argument '<file>'")
        }
    }

    func run() async throws {
        if !compare.isEmpty {
            do {
                print(try EvalCommand.compare(compare[0], compare[1]))
            } catch {
                FileHandleOutput.standardError("loom eval: \(error)\n")
                throw ExitCode(2)
            }
            return
        }
        guard let file else { throw ValidationError("Missing expected argument '<file>'") }
        let options = EvalCommand.Options(file: file, agent: agent, strategy: strategy, model: model,
                                          only: only?.split(separator: ",").map(String.init),
                                          categories: category?.split(separator: ",").map(String.init), site: site, traces: traces,
                                          withoutTools: withoutTools, policies: policies)
        let quiet = json
        let onResult: @Sendable (EvalRunner.CaseResult) -> Void = { result in
            if !quiet { print(EvalCommand.line(result)) }
        }
        do {
            let report = try await EvalCommand.run(options, components: .standard(webFetchAllowHosts: ["127.0.0.1"], threads: threads, contextLength: ctx), onResult: onResult)
            print(json ? EvalCommand.json(report) : EvalCommand.summary(report))
        } catch {
            FileHandleOutput.standardError("loom eval: \(error)\n")
            throw ExitCode(2)
        }
    }
}
