import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

/// A conversation that outgrows the model's context: ReAct shortens the oldest results and goes on;
/// when nothing is left to shorten, either planner stops with an answer built from what it has.
final class ContextFitTests: XCTestCase {
    private let script = [
        Fixtures.call("fetch", ["url": "http://a.example/"]),
        Fixtures.call("fetch", ["url": "http://b.example/"]),
        Fixtures.call("final_answer", ["answer": "done"]),
    ]

    /// A fetch double whose page is 2,000 characters ending in a marker naming the URL.
    private func pages() -> ScriptedToolExecutor {
        ScriptedToolExecutor(tools: [Fixtures.fetch]) { call in
            let url = call.arguments["url"]?.stringValue ?? ""
            return (String(repeating: "lorem ipsum ", count: 166) + "END OF " + url, false)
        }
    }

    private func model(context: Int) async -> ScriptedModel {
        let model = ScriptedModel(script, info: ModelInfo(name: "small", contextLength: context))
        await model.enforceContext()
        return model
    }

    func testReActShortensTheOldestResultAndGoesOn() async throws {
        // First with room to spare, to learn how long the prompt with both pages is.
        let roomy = await model(context: 100_000)
        let agent = Fixtures.agent(.react, plugins: ["web-fetch"])
        _ = try await Fixtures.orchestrator(model: roomy, tools: pages(), agent: agent, resultLimit: 2500).run(question: "Compare a and b.")
        let roomyRequests = await roomy.requests
        let full = ScriptedModel.render(try XCTUnwrap(roomyRequests.last)).unicodeScalars.count

        // Then 200 characters short of that: the first page must be shortened for the last turn.
        let tight = await model(context: full + 64 - 200)
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: tight, tools: pages(), agent: agent, progress: log, resultLimit: 2500)
            .run(question: "Compare a and b.")
        XCTAssertEqual(outcome.answer, "done")
        XCTAssertNil(outcome.stop)
        let requests = await tight.requests
        XCTAssertEqual(requests.count, 4, "three turns and one refused prompt")
        let results = try XCTUnwrap(requests.last).messages.filter { $0.role == .tool }
        XCTAssertEqual(results.count, 2)
        XCTAssertTrue(results[0].content.contains("truncated"), results[0].content)
        XCTAssertLessThan(results[0].content.count, ReActPlanner.shortenedResultLimit + 400, "fence and marker around 300 characters")
        XCTAssertTrue(results[1].content.contains("END OF http://b.example/"), "the newest result stays whole")
        XCTAssertTrue(log.observations.contains { $0.contains("outgrew the context") }, "\(log.observations)")
        XCTAssertLessThanOrEqual(ScriptedModel.render(try XCTUnwrap(requests.last)).unicodeScalars.count + 64, full + 64 - 200)
    }

    func testReActWithNothingLeftToShortenStopsWithAnAnswer() async throws {
        let tiny = await model(context: 200)
        let outcome = try await Fixtures.orchestrator(model: tiny, tools: pages(), agent: Fixtures.agent(.react, plugins: ["web-fetch"]))
            .run(question: "Compare a and b.")
        guard case .context(let tokens)? = outcome.stop else { return XCTFail("stop: \(String(describing: outcome.stop))") }
        XCTAssertGreaterThan(tokens, 200 - 64)
        XCTAssertTrue(outcome.answer.contains("no longer fits the model's context"), outcome.answer)
    }

    func testPlanExecuteStopsWithAnAnswerAndNoRejectedPlan() async throws {
        let tiny = ScriptedModel([Fixtures.plan([])], info: ModelInfo(name: "small", contextLength: 200))
        await tiny.enforceContext()
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: tiny, tools: pages(), agent: Fixtures.agent(.planExecute, plugins: ["web-fetch"]),
                                                      progress: log).run(question: "Compare a and b.")
        guard case .context? = outcome.stop else { return XCTFail("stop: \(String(describing: outcome.stop))") }
        XCTAssertTrue(outcome.answer.contains("no longer fits the model's context"), outcome.answer)
        XCTAssertFalse(log.observations.contains { $0.contains("rejected") }, "a refused prompt is not a bad plan: \(log.observations)")
        let requests = await tiny.requests
        XCTAssertEqual(requests.count, 1, "no answer call after the plan call did not fit")
    }
}
