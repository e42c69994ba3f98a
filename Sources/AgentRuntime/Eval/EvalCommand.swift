import AgentCore
import Foundation
import Orchestrator

/// The logic of `loom eval`: load the set, serve the site, ask each question, score and print.
public enum EvalCommand {
    /// Options of one evaluation run.
    public struct Options: Sendable {
        public var file: String
        public var agent: String?
        public var strategy: String?
        public var model: String?
        public var only: [String]?
        /// Only the cases of these categories.
        public var categories: [String]?
        public var site: String?
        public var traces: String?
        /// Ask the model alone (`ToolFreeBaseline`) instead of the agent: no tools, no planner.
        public var withoutTools: Bool
        /// Planner policies for every agent (see `policies(_:applyingTo:)`), nil for each agent's own.
        public var policies: String?

        /// Creates options.
        public init(file: String, agent: String? = nil, strategy: String? = nil, model: String? = nil,
                    only: [String]? = nil, categories: [String]? = nil, site: String? = nil, traces: String? = nil,
                    withoutTools: Bool = false, policies: String? = nil) {
            self.policies = policies
            self.file = file
            self.agent = agent
            self.strategy = strategy
            self.model = model
            self.only = only
            self.categories = categories
            self.site = site
            self.traces = traces
            self.withoutTools = withoutTools
        }
    }

    /// Runs the evaluation.
    public static func run(_ options: Options, components: LiveComponents,
                           onResult: @escaping @Sendable (EvalRunner.CaseResult) -> Void) async throws -> EvalRunner.Report {
        let cases = try cases(options)
        let strategy = try options.strategy.map { name -> AgentDefinition.Strategy in
            guard let value = AgentDefinition.Strategy(rawValue: name) else {
                throw AgentLoaderError.invalidValue(path: "--strategy", key: "strategy", reason: "must be \(AgentDefinition.Strategy.names), got '\(name)'")
            }
            return value
        }
        let site = siteDirectory(file: options.file, site: options.site)
        let server = cases.contains { $0.question.contains("{{site}}") } ? try SiteServer(directory: site) : nil
        defer { server?.stop() }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let traceDirectory = options.traces ?? LoomHome().traces.appendingPathComponent("eval-\(stamp)").path
        let runner = QuestionRunner(components: components)
        let agentDirectories = AgentLoader.directories()
        return await EvalRunner.run(cases, site: server?.baseURL ?? "http://127.0.0.1:9", ask: { item, question in
            var agent = try AgentLoader.load(options.agent ?? item.agent, directories: agentDirectories)
            if options.withoutTools {
                return try await ToolFreeBaseline.ask(model: components.model(options.model ?? agent.model, agent.modelAPIKeyEnv), question: question)
            }
            if let strategy { agent.strategy = strategy }
            if let policies = options.policies { agent.policies = try Self.policies(policies, applyingTo: agent.policies) }
            let result = try await runner.run(question: question, agent: agent, modelName: options.model,
                                              tracePath: "\(traceDirectory)/\(item.id).jsonl")
            return EvalRunner.Answer(text: result.outcome.answer, outcome: result.outcome,
                                     observations: result.observations, trace: result.tracePath)
        }, onResult: onResult)
    }

    /// An agent's policies after `--policies`: a comma-separated list of names replaces them; names
    /// written `-name` drop one from them and `+name` add one (`-repeated-operand` measures the planner
    /// without that rule). `current` nil stands for the defaults.
    public static func policies(_ text: String, applyingTo current: [String]?) throws -> [String] {
        let items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let relative = items.allSatisfy { $0.hasPrefix("-") || $0.hasPrefix("+") }
        var result = relative ? (current ?? PlannerPolicy.defaults.map(\.rawValue)) : []
        for item in items {
            let name = relative ? String(item.dropFirst()) : item
            guard PlannerPolicy(rawValue: name) != nil else {
                throw AgentLoaderError.invalidValue(path: "--policies", key: "policies", reason: "\(PlannerPolicy.UnknownPolicy(name: name))")
            }
            if item.hasPrefix("-") { result.removeAll { $0 == name } } else if !result.contains(name) { result.append(name) }
        }
        guard relative || !items.contains(where: { $0.hasPrefix("-") || $0.hasPrefix("+") }) else {
            throw AgentLoaderError.invalidValue(path: "--policies", key: "policies", reason: "mixes names with -name/+name changes")
        }
        return result
    }

    /// The cases of `options.file` that `--only` and `--category` select, in file order.
    public static func cases(_ options: Options) throws -> [EvalCase] {
        var cases = try EvalSet.load(path: options.file)
        if let only = options.only { cases = cases.filter { only.contains($0.id) } }
        if let categories = options.categories { cases = cases.filter { categories.contains($0.category) } }
        return cases
    }

    /// The directory served for `{{site}}`: `site`, or the `site` folder next to the evaluation file, so that
    /// `evals/questions.jsonl` reads `evals/site` and `evals/heldout/questions.jsonl` reads `evals/heldout/site`.
    public static func siteDirectory(file: String, site: String?) -> String {
        site ?? URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent("site").path
    }

    /// One line per finished case.
    public static func line(_ result: EvalRunner.CaseResult) -> String {
        let mark = result.error != nil ? "ERROR" : result.stop != nil ? "STOP " : result.passed ? "pass " : "FAIL "
        let answer = (result.error ?? result.answer ?? "").replacingOccurrences(of: "\n", with: " ")
        return String(format: "%@ %@ %6.1f s  %d calls  ", mark, result.id.padding(toLength: 12, withPad: " ", startingAt: 0),
                      result.seconds, result.toolCalls) + "expected \(result.expected) | got \(answer.prefix(100))"
    }

    /// The score per category and in total with 95 % Wilson intervals, time and model calls per question.
    public static func summary(_ report: EvalRunner.Report) -> String {
        let statistics = report.statistics ?? EvalStatistics.summary(report.results)
        var out = ""
        for (category, score) in statistics.byCategory.sorted(by: { $0.key < $1.key }) {
            out += "\(category): \(score.text)\n"
        }
        out += "score: \(statistics.total.text)\n"
        out += String(format: "time per question: median %.1f s, 90th percentile %.1f s; model calls per question: mean %.1f, median %.1f\n",
                      statistics.medianSeconds, statistics.p90Seconds, statistics.meanModelCalls, statistics.medianModelCalls)
        out += String(format: "unparseable plans or tool calls: %d; errors: %d; stopped by a budget (counted as failed): %d",
                      report.unparseable, report.errors, statistics.budgetStops)
        return out
    }

    /// Compares two reports saved with `--json`, question by question.
    public static func compare(_ pathA: String, _ pathB: String) throws -> String {
        let comparison = EvalComparison(try EvalComparison.load(path: pathA), try EvalComparison.load(path: pathB))
        return comparison.text(nameA: pathA, nameB: pathB)
    }

    /// The report as JSON.
    public static func json(_ report: EvalRunner.Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }
}
