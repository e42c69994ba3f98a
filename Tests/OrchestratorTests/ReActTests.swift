import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

final class ReActTests: XCTestCase {
    func testOneCallPerTurnInQwenFormatThenFinalAnswer() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.call("evaluate", ["expression": "6 * 7"]),
            Fixtures.call("final_answer", ["answer": "42"]),
        ])
        let sink = MemoryTraceSink()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(.react), sink: sink)
            .run(question: "What is 6*7?")
        XCTAssertEqual(outcome.answer, "42")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 2)
        for request in requests {
            XCTAssertEqual(request.prefill, "<tool_call>\n")
            XCTAssertEqual(request.stop, ["</tool_call>"])
            XCTAssertEqual(request.tools.map(\.name), ["evaluate", "final_answer"])
            guard case .jsonSchema(let schema) = request.constraint else { return XCTFail("turn is not constrained") }
            XCTAssertEqual(schema["anyOf"]?.arrayValue?.count, 2)
        }
        let turns = requests[1].messages
        XCTAssertEqual(turns.map(\.role), [.system, .user, .assistant, .tool])
        XCTAssertEqual(turns[2].toolCalls, [ToolCall(id: "call-1", name: "evaluate", arguments: ["expression": "6 * 7"])])
        XCTAssertTrue(turns[3].content.contains("plugin=\"calc\" tool=\"evaluate\" call=\"call-1\" status=\"ok\">>>\n42\n"))
        XCTAssertEqual(turns[3].toolCallID, "call-1")
    }

    func testMalformedOutputsAreObservationsAndTheLoopGoesOn() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let log = ProgressLog()
        let model = ScriptedModel([
            "{\"name\": \"evaluate\", \"arguments\": {\"expression\": ",  // torn JSON
            Fixtures.call("teleport", ["to": "mars"]),                    // unknown tool
            Fixtures.call("evaluate", ["expression": "1 + 2"]),
            Fixtures.call("evaluate", ["expr": 3]),                        // bad arguments
            Fixtures.call("final_answer", ["answer": "3"]),
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(.react), progress: log)
            .run(question: "1+2?")
        XCTAssertEqual(outcome.answer, "3")
        let calls = await tools.calls
        XCTAssertEqual(calls.map(\.arguments), [["expression": "1 + 2"]], "only the valid call reaches a tool")
        XCTAssertEqual(log.observations.count, 3)
        let requests = await model.requests
        XCTAssertTrue(try XCTUnwrap(requests[1].messages.last?.content).contains("not JSON"))
        XCTAssertTrue(try XCTUnwrap(requests[2].messages.last?.content).contains("unknown tool 'teleport'"))
        XCTAssertTrue(try XCTUnwrap(requests[4].messages.last?.content).contains("arguments.expression is required"))
    }

    func testTooManyMistakesInARowStopTheRun() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel(["nope", "still nope", "nope again", Fixtures.call("final_answer", ["answer": "unknown"])])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(.react)).run(question: "q")
        XCTAssertEqual(outcome.stop, .modelMistakes(count: 3))
        XCTAssertTrue(outcome.answer.hasPrefix("unknown"), outcome.answer)
        let last = await model.requests.last
        XCTAssertEqual(last?.tools.map(\.name), ["evaluate", "final_answer"], "the prompt keeps its tool list")
        guard case .jsonSchema(let schema)? = last?.constraint else { return XCTFail("the last turn is not constrained") }
        XCTAssertEqual(schema["properties"]?["name"]?["enum"], ["final_answer"], "the last turn may only answer")
    }

    func testRepeatedIdenticalCallsAreDetectedAndStopped() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let same = Fixtures.call("evaluate", ["expression": "2 + 2"])
        let model = ScriptedModel([same, same, same, Fixtures.call("final_answer", ["answer": "4"])])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(.react)).run(question: "q")
        let calls = await tools.calls
        XCTAssertEqual(calls.count, 1)
        XCTAssertEqual(outcome.stop, .repeatedCalls(tool: "evaluate"))
        XCTAssertTrue(outcome.answer.hasPrefix("4\n\n(Stopped early: repeated identical calls of evaluate"), outcome.answer)
        let requests = await model.requests
        XCTAssertTrue(try XCTUnwrap(requests[2].messages.last?.content).contains("already ran as call-1"))
    }

    func testStepBudgetEndsTheLoopWithAnAnswer() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel { request, index in
            guard case .jsonSchema(let schema)? = request.constraint, schema["anyOf"] == nil else {
                return Fixtures.call("evaluate", ["expression": .string("\(index) + 1")])
            }
            return Fixtures.call("final_answer", ["answer": "partial"])
        }
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(.react, limits: .init(maxSteps: 2)))
            .run(question: "q")
        XCTAssertEqual(outcome.toolCalls, 2)
        XCTAssertEqual(outcome.stop, .steps(limit: 2))
        XCTAssertTrue(outcome.answer.hasPrefix("partial"))
    }

    func testTokenBudgetGivesAnAnswerBuiltFromResults() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let call = Fixtures.call("evaluate", ["expression": "20 + 22"])
        let model = ScriptedModel([call, call, call])
        let agent = Fixtures.agent(.react, limits: .init(maxTokens: call.unicodeScalars.count + 5))
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent).run(question: "q")
        XCTAssertEqual(outcome.stop, .tokens(limit: call.unicodeScalars.count + 5))
        XCTAssertTrue(outcome.answer.contains("call-1 (evaluate): 42"), outcome.answer)
    }

    func testFinalAnswerIsAReservedName() async throws {
        let clash = ToolSpec(plugin: "x", name: "final_answer", description: "", inputSchema: ["type": "object"])
        let tools = ScriptedToolExecutor(tools: [clash], handler: Fixtures.calc)
        let sink = MemoryTraceSink()
        do {
            _ = try await Fixtures.orchestrator(model: ScriptedModel([]), tools: tools, agent: Fixtures.agent(.react, plugins: ["x"]), sink: sink)
                .run(question: "q")
            XCTFail("expected an error")
        } catch let error as OrchestratorError {
            XCTAssertEqual(error.description, "tool name 'final_answer' is reserved by the ReAct planner")
        }
        let events = await sink.events
        XCTAssertEqual(events, [.error(message: "tool name 'final_answer' is reserved by the ReAct planner")])
    }
}
