import AgentCore
import Foundation
import Orchestrator

/// The anchor of an evaluation (`loom eval --without-tools`): the same model alone, with no tools and no
/// planner, reasoning step by step in one greedy chat completion. A tool-using agent has to beat it.
public enum ToolFreeBaseline {
    /// The system prompt: reason, then give the result on a last line of its own.
    public static let systemPrompt = """
        Solve the problem step by step, showing your reasoning. \
        Then write one last line of the form "Answer: <the final result>" and nothing after it.
        """

    /// Most tokens the reasoning may take; a run that reaches it counts as stopped by its budget.
    public static let maxTokens = 768

    /// The one request for `question`.
    public static func request(question: String) -> CompletionRequest {
        CompletionRequest(messages: [.system(systemPrompt), .user(question)], sampling: .greedy, maxTokens: maxTokens)
    }

    /// The answer a reasoning text gives: the first line of text after its last `Answer:`, or else its last
    /// number, so that the intermediate figures of the reasoning are not checked as if they were answers.
    public static func finalAnswer(_ text: String) -> String {
        if let marker = text.range(of: "answer:", options: [.caseInsensitive, .backwards]) {
            let line = text[marker.upperBound...].drop { $0.isWhitespace }.prefix { $0 != "\n" }
                .trimmingCharacters(in: .whitespaces)
            if !line.isEmpty { return line }
        }
        let pattern = #"-?\d[\d,]*(?:\.\d+)?(?:\s*/\s*\d+)?"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let last = regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).last,
              let range = Range(last.range, in: text) else { return text }
        return String(text[range])
    }

    /// Asks `model` the question once and returns the final answer with the run's counts.
    public static func ask(model: any LanguageModel, question: String) async throws -> EvalRunner.Answer {
        let started = Date()
        let completion = try await model.complete(request(question: question), onText: nil)
        let stop: BudgetStop? = completion.finishReason == .maxTokens ? .tokens(limit: maxTokens) : nil
        let outcome = RunOutcome(answer: finalAnswer(completion.text), stop: stop, missing: [], toolCalls: 0, modelCalls: 1,
                                 generatedTokens: completion.generatedTokens.count,
                                 reusedPromptTokens: [completion.reusedPromptTokens],
                                 seconds: Date().timeIntervalSince(started))
        return EvalRunner.Answer(text: outcome.answer, outcome: outcome, observations: [], trace: nil)
    }
}
