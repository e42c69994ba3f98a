import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

/// `compute_tools`: an answer rests on a successful call of a compute tool. Plan-then-execute follows a
/// round that only gathered data with steps that must compute; ReAct offers the answer only after a
/// successful compute call, so a failed run is followed by a fixed one (Self-Debug).
final class ComputeToolsTests: XCTestCase {
    func agent(_ strategy: AgentDefinition.Strategy) -> AgentDefinition {
        var agent = Fixtures.agent(strategy)
        agent.computeTools = ["evaluate"]
        return agent
    }

    func testAFetchRoundIsFollowedByStepsThatMustCompute() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch]) { call in
            call.name == "fetch" ? ("Monday: 1,234 apples sold.", false) : await Fixtures.calc(call)
        }
        let model = ScriptedModel([
            Fixtures.plan([("s1", "fetch", ["url": "http://127.0.0.1/report"], [])]),
            #"{"remaining": "twice Monday's sales", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "1234 * 2"}}]}"#,
            PlanExecuteTests.nothingRemains,
            #"{"source": "s2", "answer": "2468"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(.planExecute))
            .run(question: "How many apples in two days like Monday?")
        XCTAssertEqual(outcome.answer, "2468")
        let requests = await model.requests
        XCTAssertEqual(requests.map(PlanExecuteTests.asks), ["plan", "continue", "continue", "answer"])

        // After the fetch: at least one step, and only the compute tool.
        guard case .jsonSchema(let forced) = requests[1].constraint else { return XCTFail("not constrained") }
        XCTAssertEqual(forced["properties"]?["steps"]?["minItems"], 1)
        XCTAssertEqual(forced["propertyOrder"], ["remaining", "steps"])
        XCTAssertNil(forced["properties"]?["steps"]?["items"]?["anyOf"], "one tool only")
        XCTAssertEqual(forced["properties"]?["steps"]?["items"]?["properties"]?["tool"]?["enum"], ["evaluate"])
        XCTAssertTrue(try XCTUnwrap(requests[1].messages.last?.content).contains("Now compute the answer"))
        // After the compute round, the model may say nothing remains.
        guard let free = Fixtures.planSchema(requests[2]) else { return XCTFail("not constrained") }
        XCTAssertNil(free["properties"]?["steps"]?["minItems"])
        XCTAssertEqual(free["propertyOrder"], ["remaining", "steps"])
        XCTAssertEqual(free["properties"]?["steps"]?["items"]?["anyOf"]?.arrayValue?.count, 2)

        // The answer names its source step first.
        guard case .jsonSchema(let answer) = requests[3].constraint else { return XCTFail("not constrained") }
        XCTAssertEqual(answer["properties"]?["source"]?["enum"], ["s1", "s2", "none"])
        XCTAssertEqual(answer["propertyOrder"], ["source", "answer"])
        XCTAssertTrue(try XCTUnwrap(requests[3].messages.last?.content).contains(#"Reply {"source":"#))
    }

    func testTheAnswerStartsWithTheValueOfTheStepItNames() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "1234 * 2"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "#,                               // the first call stops where the answer begins
            #" apples"}"#,                                         // what follows the prefilled value
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "How many apples in two boxes of 1234?")
        XCTAssertEqual(outcome.answer, "2468 apples", "the number is the tool's, not the model's arithmetic")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 4)
        XCTAssertEqual(requests[2].stop, [#""answer""#])
        XCTAssertEqual(requests[3].prefill, #"{"source": "s1", "answer": "2468"#)
        XCTAssertEqual(requests[3].messages, requests[2].messages, "the same prompt: only the prefill is new")
    }

    func testWithoutComputeToolsTheModelMayStopAfterAFetch() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch]) { _ in ("Founded in 1998.", false) }
        let model = ScriptedModel([
            Fixtures.plan([("s1", "fetch", ["url": "http://127.0.0.1/about"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "answer": "1998"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "When was it founded?")
        XCTAssertEqual(outcome.answer, "1998")
        let requests = await model.requests
        guard let next = Fixtures.planSchema(requests[1]) else { return XCTFail("not constrained") }
        XCTAssertNil(next["properties"]?["steps"]?["minItems"])
    }

    func testReActAnswersOnlyAfterASuccessfulComputeCall() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.call("evaluate", ["expression": "6 x 7"]),   // fails
            Fixtures.call("evaluate", ["expression": "6 * 7"]),   // fixed
            Fixtures.call("final_answer", ["answer": "42"]),
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(.react))
            .run(question: "What is 6 times 7?")
        XCTAssertEqual(outcome.answer, "42")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 3)
        func offersAnswer(_ request: CompletionRequest) -> Bool {
            guard case .jsonSchema(let schema) = request.constraint else { return false }
            return schema.compactText.contains(ReActPlanner.finalAnswerName)
        }
        XCTAssertEqual(requests.map(offersAnswer), [false, false, true],
                       "no answer before a run, none after a failed one, then the answer is offered")
        for request in requests {
            XCTAssertEqual(request.tools.map(\.name), ["evaluate", "final_answer"], "the prompt's tool list stays the same")
        }
    }

    func testReActMayFetchBeforeItComputes() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch]) { call in
            call.name == "fetch" ? ("Monday: 1234 apples.", false) : await Fixtures.calc(call)
        }
        let model = ScriptedModel([
            Fixtures.call("fetch", ["url": "http://127.0.0.1/report"]),
            Fixtures.call("evaluate", ["expression": "1234 * 2"]),
            Fixtures.call("final_answer", ["answer": "2468"]),
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(.react))
            .run(question: "Twice Monday's apples?")
        XCTAssertEqual(outcome.answer, "2468")
        let requests = await model.requests
        func offered(_ request: CompletionRequest) -> [String] {
            guard case .jsonSchema(let schema) = request.constraint else { return [] }
            let branches = schema["anyOf"]?.arrayValue ?? [schema]
            return branches.compactMap { $0["properties"]?["name"]?["enum"]?.arrayValue?.first?.stringValue }
        }
        XCTAssertEqual(offered(requests[0]), ["evaluate", "fetch"], "fetch is allowed before anything is computed")
        XCTAssertEqual(offered(requests[1]), ["evaluate", "fetch"], "a fetch is not a computation: no answer yet")
        XCTAssertEqual(offered(requests[2]), ["evaluate", "fetch", "final_answer"])
    }

    func testAProgramThatExitedNonZeroCountsAsFailed() {
        func result(_ structured: JSONValue?, isError: Bool = false) -> ToolResult {
            ToolResult(callID: "c", plugin: "code-runner", tool: "run_python", content: "", isError: isError, structured: structured)
        }
        XCTAssertTrue(result(["exit_code": 1]).failed)
        XCTAssertTrue(result(["exit_code": .null, "signal": "SIGKILL"]).failed, "killed by a limit")
        XCTAssertFalse(result(["exit_code": 0]).failed)
        XCTAssertFalse(result(nil).failed)
        XCTAssertTrue(result(nil, isError: true).failed)
    }
}
