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
        public var site: String?
        public var traces: String?

        /// Creates options.
        public init(file: String, agent: String? = nil, strategy: String? = nil, model: String? = nil,
                    only: [String]? = nil, site: String? = nil, traces: String? = nil) {
            self.file = file
            self.agent = agent
            self.strategy = strategy
            self.model = model
            self.only = only
            self.site = site
            self.traces = traces
        }
    }

    /// Runs the evaluation.
    public static func run(_ options: Options, components: LiveComponents,
                           onResult: @escaping @Sendable (EvalRunner.CaseResult) -> Void) async throws -> EvalRunner.Report {
        var cases = try EvalSet.load(path: options.file)
        if let only = options.only { cases = cases.filter { only.contains($0.id) } }
        let strategy = try options.strategy.map { name -> AgentDefinition.Strategy in
            guard let value = AgentDefinition.Strategy(rawValue: name) else {
                throw AgentLoaderError.invalidValue(path: "--strategy", key: "strategy", reason: "must be plan-execute or react, got '\(name)'")
            }
            return value
        }
        let siteDirectory = options.site ?? URL(fileURLWithPath: options.file).deletingLastPathComponent().appendingPathComponent("site").path
        let server = cases.contains { $0.question.contains("{{site}}") } ? try SiteServer(directory: siteDirectory) : nil
        defer { server?.stop() }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let traceDirectory = options.traces ?? LoomHome().traces.appendingPathComponent("eval-\(stamp)").path
        let runner = QuestionRunner(components: components)
        let agentDirectories = AgentLoader.directories()
        return await EvalRunner.run(cases, site: server?.baseURL ?? "http://127.0.0.1:9", ask: { item, question in
            var agent = try AgentLoader.load(options.agent ?? item.agent, directories: agentDirectories)
            if let strategy { agent.strategy = strategy }
            let result = try await runner.run(question: question, agent: agent, modelName: options.model,
                                              tracePath: "\(traceDirectory)/\(item.id).jsonl")
            return EvalRunner.Answer(text: result.outcome.answer, outcome: result.outcome,
                                     observations: result.observations, trace: result.tracePath)
        }, onResult: onResult)
    }

    /// One line per finished case.
    public static func line(_ result: EvalRunner.CaseResult) -> String {
        let mark = result.error != nil ? "ERROR" : result.passed ? "pass " : "FAIL "
        let answer = (result.error ?? result.answer ?? "").replacingOccurrences(of: "\n", with: " ")
        return String(format: "%@ %@ %6.1f s  %d calls  ", mark, result.id.padding(toLength: 12, withPad: " ", startingAt: 0),
                      result.seconds, result.toolCalls) + "expected \(result.expected) | got \(answer.prefix(100))"
    }

    /// The score, per category and in total.
    public static func summary(_ report: EvalRunner.Report) -> String {
        var out = ""
        for (category, counts) in report.byCategory.sorted(by: { $0.key < $1.key }) {
            out += "\(category): \(counts[0])/\(counts[1])\n"
        }
        out += String(format: "score: %d/%d (%.1f%%); unparseable plans or tool calls: %d; errors: %d",
                      report.passed, report.total, report.percent, report.unparseable, report.errors)
        return out
    }

    /// The report as JSON.
    public static func json(_ report: EvalRunner.Report) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(report)) ?? Data(), as: UTF8.self)
    }
}
