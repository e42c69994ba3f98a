import AgentCore
import Foundation
import Orchestrator

/// Runs an evaluation set and scores it.
public enum EvalRunner {
    /// Errors that stop an evaluation before it starts.
    public enum RunError: Error, CustomStringConvertible, Sendable {
        case site(reason: String)

        public var description: String {
            switch self {
            case .site(let reason): return "local test site: \(reason)"
            }
        }
    }

    /// How one case went.
    public struct CaseResult: Codable, Sendable {
        public var id: String
        public var category: String
        public var agent: String
        public var expected: String
        public var answer: String?
        public var passed: Bool
        public var error: String?
        public var seconds: Double
        public var toolCalls: Int
        public var modelCalls: Int
        public var generatedTokens: Int
        /// Model outputs that could not be parsed as a plan or tool call.
        public var unparseable: Int
        public var trace: String?
        /// The budget that stopped the run, if one did; such a run counts as failed whatever it answered.
        public var stop: String? = nil
    }

    /// The score of a whole set.
    public struct Report: Codable, Sendable {
        public var total: Int
        public var passed: Int
        public var unparseable: Int
        public var errors: Int
        public var byCategory: [String: [Int]]
        public var results: [CaseResult]
        /// Intervals, times and model calls; absent in reports written before they were added.
        public var statistics: EvalStatistics.Summary? = nil

        /// Passed over total, in percent.
        public var percent: Double { total == 0 ? 0 : Double(passed) * 100 / Double(total) }
    }

    /// What asking one question produced.
    public struct Answer: Sendable {
        public var text: String
        public var outcome: RunOutcome
        public var observations: [String]
        public var trace: String?

        /// Creates an answer record.
        public init(text: String, outcome: RunOutcome, observations: [String], trace: String?) {
            self.text = text
            self.outcome = outcome
            self.observations = observations
            self.trace = trace
        }
    }

    /// Asks one question (already filled with the site URL) of the case's agent.
    public typealias Ask = @Sendable (_ item: EvalCase, _ question: String) async throws -> Answer

    /// Whether an observation reports output that did not parse (as opposed to a wrong tool or argument).
    public static func isUnparseable(_ observation: String) -> Bool {
        observation.contains("not valid JSON") || observation.contains("is not JSON") || observation.contains("not a plan")
    }

    /// Runs every case in order, reporting each result as it finishes.
    public static func run(_ cases: [EvalCase], site: String, ask: Ask,
                           onResult: @Sendable (CaseResult) -> Void = { _ in }) async -> Report {
        var results: [CaseResult] = []
        for item in cases {
            let started = Date()
            var result = CaseResult(id: item.id, category: item.category, agent: item.agent, expected: item.expected,
                                    answer: nil, passed: false, error: nil, seconds: 0, toolCalls: 0, modelCalls: 0,
                                    generatedTokens: 0, unparseable: 0, trace: nil)
            do {
                let answer = try await ask(item, item.question(site: site))
                result.answer = answer.text
                result.stop = answer.outcome.stop.map { String(describing: $0) }
                result.passed = result.stop == nil && AnswerCheck.passes(answer.text, item)
                result.toolCalls = answer.outcome.toolCalls
                result.modelCalls = answer.outcome.modelCalls
                result.generatedTokens = answer.outcome.generatedTokens
                result.unparseable = answer.observations.filter(isUnparseable).count
                result.trace = answer.trace
            } catch {
                result.error = String(describing: error)
            }
            result.seconds = Date().timeIntervalSince(started)
            onResult(result)
            results.append(result)
        }
        var byCategory: [String: [Int]] = [:]
        for result in results {
            var counts = byCategory[result.category] ?? [0, 0]
            counts[0] += result.passed ? 1 : 0
            counts[1] += 1
            byCategory[result.category] = counts
        }
        return Report(total: results.count, passed: results.filter(\.passed).count,
                      unparseable: results.map(\.unparseable).reduce(0, +), errors: results.filter { $0.error != nil }.count,
                      byCategory: byCategory, results: results, statistics: EvalStatistics.summary(results))
    }
}
