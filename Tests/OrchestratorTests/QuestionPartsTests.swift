import AgentCore
import XCTest
@testable import Orchestrator

/// Plan-then-execute lists the question's parts before the steps of its first plan; a step that only
/// restates a figure is not offered as the answer's source.
final class QuestionPartsTests: XCTestCase {
    func testTheFirstPlanListsThePartsAndLaterCallsQuoteThem() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            #"{"parts": ["the product of 1234 and 2", "that product minus 68"], "steps": [{"id": "s1", "tool": "evaluate", "arguments": {"expression": "1234 * 2"}}]}"#,
            #"{"remaining": "that product minus 68", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "2468 - 68"}}]}"#,
            PlanExecuteTests.nothingRemains,
            #"{"source": "s2", "answer": "2400"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "Multiply 1234 by 2, then subtract 68.")
        XCTAssertEqual(outcome.answer, "2400")
        let requests = await model.requests
        XCTAssertEqual(requests.map(PlanExecuteTests.asks), ["plan", "continue", "continue", "answer"])

        guard case .jsonSchema(let first) = requests[0].constraint else { return XCTFail("not constrained") }
        XCTAssertEqual(first["propertyOrder"], ["parts", "steps"], "the parts are written before the steps")
        XCTAssertEqual(first["required"], ["parts", "steps"])
        XCTAssertEqual(first["properties"]?["parts"]?["minItems"], 1)
        XCTAssertTrue(try XCTUnwrap(requests[0].messages.first?.content).contains(#"{"parts": [...], "steps": [...]}"#))

        XCTAssertEqual(requests[1].messages[2], .assistant(#"{"steps": [{"id": "s1", "tool": "evaluate", "arguments": {"expression": "1234 * 2"}}]}"#),
                       "the conversation keeps the first plan's steps, not its parts")
        for request in requests[1...2] {
            guard case .jsonSchema(let next) = request.constraint else { return XCTFail("not constrained") }
            XCTAssertNil(next["properties"]?["parts"], "only the first plan lists parts")
            XCTAssertEqual(next["propertyOrder"], ["remaining", "steps"])
        }
    }

    func testAPlanWithoutPartsStillRuns() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "6 * 7"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "answer": "42"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "What is 6 times 7?")
        XCTAssertEqual(outcome.answer, "42")
        let calls = await tools.calls.map(\.id)
        XCTAssertEqual(calls, ["s1"])
    }

    func testAStepThatOnlyRestatesAFigureIsNotTheAnswersSource() async throws {
        var agent = Fixtures.agent()
        agent.computeTools = ["evaluate"]
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch]) { call in
            call.name == "fetch" ? ("Mara Okafor founded the company in 1998. It sold 214 looms.", false) : await Fixtures.calc(call)
        }
        let model = ScriptedModel([
            #"{"parts": ["the chief executive", "the year it was founded"], "steps": [{"id": "s1", "tool": "fetch", "arguments": {"url": "http://127.0.0.1/company"}}]}"#,
            #"{"remaining": "nothing to compute", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "214"}}]}"#,
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "answer": "Mara Okafor, 1998"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent)
            .run(question: "Who runs the company, and when was it founded?")
        XCTAssertEqual(outcome.answer, "Mara Okafor, 1998")
        let requests = await model.requests
        guard case .jsonSchema(let answer) = requests[3].constraint else { return XCTFail("not constrained") }
        XCTAssertEqual(answer["properties"]?["source"]?["enum"], ["s1", "none"], "s2 restated 214 and computed nothing")
        let prompt = try XCTUnwrap(requests[3].messages.last?.content)
        XCTAssertFalse(prompt.contains("s2 = 214"), prompt)
        XCTAssertTrue(prompt.contains("the last step, s1,"), prompt)
    }

    func testPartsAreCutFromThePlanText() {
        XCTAssertEqual(PlanSchema.withoutParts(#"{"parts": ["a \"quoted\", part", "b: [c]"], "steps": [{"id": "s1", "arguments": {"parts": "x"}}]}"#),
                       #"{"steps": [{"id": "s1", "arguments": {"parts": "x"}}]}"#)
        XCTAssertEqual(PlanSchema.withoutParts(#"{"steps": []}"#), #"{"steps": []}"#)
        XCTAssertEqual(PlanSchema.withoutParts(#"{"remaining": "parts", "steps": []}"#), #"{"remaining": "parts", "steps": []}"#)
        XCTAssertEqual(PlanSchema.withoutParts("not json"), "not json")
    }

    func testEchoesAreTheSameTextUpToSpacesCommasAndProducts() {
        func step(_ expression: String) -> Plan.Step {
            Plan.Step(id: "s1", tool: "evaluate", arguments: ["expression": .string(expression)], dependsOn: [])
        }
        func result(_ text: String) -> ToolResult {
            ToolResult(callID: "s1", plugin: "calc", tool: "evaluate", content: text, isError: false)
        }
        XCTAssertTrue(PlanExecutePlanner.isEcho(step("118,021"), result: result("118021")))
        XCTAssertTrue(PlanExecutePlanner.isEcho(step("14 June"), result: result("14*June")))
        XCTAssertFalse(PlanExecutePlanner.isEcho(step("118021 - 103455"), result: result("14566")))
        XCTAssertFalse(PlanExecutePlanner.isEcho(step("2^10"), result: result("1024")))
        XCTAssertFalse(PlanExecutePlanner.isEcho(step(""), result: result("")))
    }
}
