import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

/// A routing agent asks the model once which of its agents answers, constrained to their names, and
/// that agent's planner runs with its own prompt and tools; the routing call is part of the run.
final class RoutingTests: XCTestCase {
    private static let runPython = ToolSpec(plugin: "code-runner", name: "run_python", description: "Run Python.",
                                            inputSchema: ["type": "object", "properties": ["code": ["type": "string"]],
                                                          "required": ["code"]])

    private func router() -> AgentDefinition {
        var reckoner = Fixtures.agent(.checkedReasoning, plugins: ["calc", "code-runner"])
        reckoner.name = "reckoner"
        reckoner.description = "Works sums out step by step."
        reckoner.systemPrompt = "You are a bookkeeper."
        var reader = Fixtures.agent(.react, plugins: ["web-fetch"])
        reader.name = "reader"
        reader.description = "Reads web pages."
        var agent = Fixtures.agent(.route, plugins: [])
        agent.name = "front-desk"
        agent.systemPrompt = "You send each question to the right desk."
        agent.routes = [reckoner, reader]
        return agent
    }

    private func tools() -> ScriptedToolExecutor {
        ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch, Self.runPython], handler: Fixtures.calc)
    }

    func testTheChosenAgentAnswersWithItsOwnPromptAndTools() async throws {
        let model = ScriptedModel([#"{"agent": "reckoner"}"#, "Two boxes of 9 make 2 * 9 = 18 pens.\nAnswer: 18"])
        let sink = MemoryTraceSink()
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools(), agent: router(), sink: sink, progress: log)
            .run(question: "How many pens are in two boxes of 9?")
        XCTAssertEqual(outcome.answer, "18")
        XCTAssertEqual(outcome.modelCalls, 2, "the routing call counts")
        XCTAssertEqual(outcome.toolCalls, 1)
        let requests = await model.requests
        let routing = requests[0]
        XCTAssertEqual(routing.messages.map(\.role), [.system, .user])
        XCTAssertTrue(routing.messages[0].content.hasPrefix("You send each question to the right desk."))
        XCTAssertTrue(routing.messages[0].content.contains("- reckoner: Works sums out step by step.\n- reader: Reads web pages."))
        XCTAssertEqual(routing.messages[1].content, "How many pens are in two boxes of 9?")
        guard case .jsonSchema(let schema) = routing.constraint else { return XCTFail("the routing call is constrained") }
        XCTAssertEqual(schema["properties"]?["agent"]?["enum"], ["reckoner", "reader"])
        XCTAssertEqual(routing.sampling.temperature, 0)
        XCTAssertTrue(requests[1].messages[0].content.hasPrefix("You are a bookkeeper."), "the chosen agent's own prompt")
        XCTAssertTrue(log.observations.contains("routed to the reckoner agent"))
        let events = await sink.events
        let purposes = events.compactMap { event -> String? in if case .modelCall(let call) = event { return call.purpose } else { return nil } }
        XCTAssertEqual(purposes, [AgentRouter.purpose, "reason"])
    }

    func testTheRoutingCallsTimeAndTokensCountInTheRun() async throws {
        let clock = ManualClock()
        let model = ScriptedModel { _, index in
            clock.advance(index == 0 ? 5 : 2)
            return index == 0 ? #"{"agent": "reckoner"}"# : "Answer: 4"
        }
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools(), agent: router(), clock: clock)
            .run(question: "What is 2 + 2?")
        XCTAssertEqual(outcome.answer, "4")
        XCTAssertEqual(outcome.seconds, 7, "the run's time starts with its routing call")
        XCTAssertEqual(outcome.reusedPromptTokens.count, 2, "one entry per model call, the routing call's first")
    }

    func testTheOtherAgentGetsOnlyItsOwnTools() async throws {
        let model = ScriptedModel([#"{"agent": "reader"}"#, Fixtures.call("final_answer", ["answer": "no page"])])
        _ = try await Fixtures.orchestrator(model: model, tools: tools(), agent: router()).run(question: "What does the page say?")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[1].tools.map(\.name).filter { $0 != ReActPlanner.finalAnswerName }, ["fetch"],
                       "the reader's plugins only, not calc or the code runner")
    }

    func testAnOutputThatNamesNoAgentFallsBackToTheFirst() throws {
        let agent = router()
        XCTAssertEqual(AgentRouter.chosen(#"{"agent": "reader"}"#, among: agent.routes ?? [])?.name, "reader")
        XCTAssertEqual(AgentRouter.chosen("reader, I think", among: agent.routes ?? [])?.name, "reckoner")
        XCTAssertEqual(AgentRouter.chosen(#"{"agent": "nobody"}"#, among: agent.routes ?? [])?.name, "reckoner")
    }

    func testARoutingAgentWithoutRoutesOrPromptsIsAClearError() async throws {
        var agent = router()
        agent.routes = []
        XCTAssertThrowsError(try AgentRouter.request(question: "?", agent: agent)) { error in
            XCTAssertTrue("\(error)".contains("lists no agents to route to"), "\(error)")
        }
        agent = router()
        agent.prompts = [:]
        XCTAssertThrowsError(try AgentRouter.request(question: "?", agent: agent)) { error in
            XCTAssertTrue("\(error)".contains("route.prompts"), "\(error)")
        }
        let sink = MemoryTraceSink()
        do {
            _ = try await Fixtures.orchestrator(model: ScriptedModel([]), tools: tools(), agent: agent, sink: sink).run(question: "?")
            XCTFail("a run without route prompts fails")
        } catch {
            let events = await sink.events
            XCTAssertTrue(events.contains { if case .error = $0 { return true } else { return false } }, "the error is in the trace")
        }
    }
}
