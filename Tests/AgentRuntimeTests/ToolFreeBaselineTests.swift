import AgentCore
import Foundation
import Orchestrator
import XCTest
@testable import AgentRuntime

/// The model-alone baseline of `loom eval --without-tools`: one request, the final answer only, and a run
/// that reaches its token limit counted as stopped.
final class ToolFreeBaselineTests: XCTestCase {
    /// A model that replies with one fixed text and finish reason.
    struct FixedModel: LanguageModel {
        let text: String
        let finish: Completion.FinishReason
        var info: ModelInfo { ModelInfo(name: "fixed", contextLength: 4096) }

        func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
            XCTAssertEqual(request.messages.map(\.role), [.system, .user])
            XCTAssertTrue(request.tools.isEmpty)
            XCTAssertNil(request.constraint)
            return Completion(text: text, generatedTokens: Array(repeating: 0, count: 9), finishReason: finish)
        }
    }

    func testTheFinalAnswerIsTheLastAnswerLineOrElseTheLastNumber() {
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("6 * 3 = 18\n18 - 4 = 14\nAnswer: 14 marbles\n"), "14 marbles")
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("answer: first try\nAnswer: 9"), "9")
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("She keeps 11, then 11 + 6 = 17."), "17")
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("It costs 1,250.75 in all"), "1,250.75")
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("Answer:\nno figure"), "no figure")
        XCTAssertEqual(ToolFreeBaseline.finalAnswer("I cannot tell."), "I cannot tell.")
    }

    func testIntermediateFiguresOfTheReasoningAreNotChecked() async {
        let item = EvalCase(id: "w", question: "q", agent: "math", expected: "8", check: .number, tolerance: 0, category: "word")
        let model = FixedModel(text: "2 * 4 = 8\n8 + 3 = 11\nAnswer: 11", finish: .endOfTurn)
        let report = await EvalRunner.run([item], site: "http://127.0.0.1:1") { _, question in
            try await ToolFreeBaseline.ask(model: model, question: question)
        }
        XCTAssertEqual(report.passed, 0)
        XCTAssertEqual(report.results[0].answer, "11")
        XCTAssertEqual(report.results[0].modelCalls, 1)
        XCTAssertEqual(report.results[0].toolCalls, 0)
        XCTAssertEqual(report.results[0].generatedTokens, 9)
    }

    func testReasoningCutAtTheTokenLimitCountsAsStopped() async throws {
        let answer = try await ToolFreeBaseline.ask(model: FixedModel(text: "Answer: 8", finish: .maxTokens), question: "q")
        XCTAssertEqual(answer.outcome.stop, .tokens(limit: ToolFreeBaseline.maxTokens))
        let done = try await ToolFreeBaseline.ask(model: FixedModel(text: "Answer: 8", finish: .endOfTurn), question: "q")
        XCTAssertNil(done.outcome.stop)
    }
}
