import AgentCore
import OrchestratorTestSupport
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

        let quoted = #"Its parts, as you listed them: "the product of 1234 and 2"; "that product minus 68"."#
        for request in requests[1...2] {
            guard let next = Fixtures.planSchema(request) else { return XCTFail("not constrained") }
            XCTAssertNil(next["properties"]?["parts"], "only the first plan lists parts")
            XCTAssertEqual(next["propertyOrder"], ["remaining", "steps"])
            XCTAssertTrue(try XCTUnwrap(request.messages.last?.content).contains(quoted), "the follow-ups quote the parts")
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
        let requests = await model.requests
        XCTAssertFalse(try XCTUnwrap(requests[1].messages.last?.content).contains("Its parts"))
    }

    func testAStepThatOnlyRestatesAFigureIsNotTheAnswersSource() async throws {
        var agent = Fixtures.agent()
        agent.computeTools = ["evaluate"]
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate, Fixtures.fetch]) { call in
            call.name == "fetch" ? ("Ines Varga opened the pottery in 2011. It fired 86 kilns.", false) : await Fixtures.calc(call)
        }
        let model = ScriptedModel([
            #"{"parts": ["the owner", "the year it opened"], "steps": [{"id": "s1", "tool": "fetch", "arguments": {"url": "http://127.0.0.1/pottery"}}]}"#,
            #"{"remaining": "nothing to compute", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "86"}}]}"#,
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "answer": "Ines Varga, 2011"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent)
            .run(question: "Who owns the pottery, and in which year did it open?")
        XCTAssertEqual(outcome.answer, "Ines Varga, 2011")
        let requests = await model.requests
        guard case .jsonSchema(let answer) = requests[3].constraint else { return XCTFail("not constrained") }
        XCTAssertEqual(answer["properties"]?["source"]?["enum"], ["s1", "none"], "s2 restated 86 and computed nothing")
        let prompt = try XCTUnwrap(requests[3].messages.last?.content)
        XCTAssertFalse(prompt.contains("s2 = 86"), prompt)
        XCTAssertTrue(prompt.contains("the last step, s1,"), prompt)
    }

    func testTheAnswerDropsHeadArithmeticAfterTheToolsValue() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "1234 * 2"], [])]),
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "#,
            #" + 5 = 2475"}"#,
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent())
            .run(question: "How many apples in two boxes of 1234?")
        XCTAssertEqual(outcome.answer, "2468")
    }

    func testArithmeticAfterTheValueIsCut() {
        XCTAssertEqual(AnswerWriting.withoutArithmetic("48100 + 1250 = 49350", after: "48100"), "48100")
        XCTAssertEqual(AnswerWriting.withoutArithmetic("90000/11 * 2/3", after: "90000/11"), "90000/11")
        XCTAssertEqual(AnswerWriting.withoutArithmetic("41 - all of them whole", after: "41"), "41 - all of them whole")
        XCTAssertEqual(AnswerWriting.withoutArithmetic("130.56 euros", after: "130.56"), "130.56 euros")
        XCTAssertEqual(AnswerWriting.withoutArithmetic("[2,3], so x = 2 or x = 3", after: "[2,3]"), "[2,3], so x = 2 or x = 3")
        XCTAssertEqual(AnswerWriting.withoutArithmetic("Ines Varga, 2011", after: ""), "Ines Varga, 2011")
    }

    func testEchoesAreTheSameTextUpToSpacesCommasAndProducts() {
        func step(_ expression: String) -> Plan.Step {
            Plan.Step(id: "s1", tool: "evaluate", arguments: ["expression": .string(expression)], dependsOn: [])
        }
        func result(_ text: String) -> ToolResult {
            ToolResult(callID: "s1", plugin: "calc", tool: "evaluate", content: text, isError: false)
        }
        XCTAssertTrue(AnswerWriting.isEcho(step("64,208"), result: result("64208")))
        XCTAssertTrue(AnswerWriting.isEcho(step("9 August"), result: result("9*August")))
        XCTAssertFalse(AnswerWriting.isEcho(step("64208 - 51377"), result: result("12831")))
        XCTAssertFalse(AnswerWriting.isEcho(step("2^10"), result: result("1024")))
        XCTAssertFalse(AnswerWriting.isEcho(step(""), result: result("")))
    }
}

/// A follow-up step that applies again a number its input step already used is sent back once.
final class RepeatedOperandTests: XCTestCase {
    func step(_ id: String, _ expression: String) -> Plan.Step {
        Plan.Step(id: id, tool: "evaluate", arguments: ["expression": .string(expression)], dependsOn: [])
    }

    func testAnOperandAppliedTwiceIsFound() {
        let s1 = step("s1", "2600*45 + 1,380")
        let byReference = RepeatedOperand.find(in: Plan(steps: [step("s2", "{{s1}} + 1380")]), earlier: [(s1, "118380")])
        XCTAssertEqual(byReference, .init(step: "s2", earlier: "s1", earlierExpression: "2600*45 + 1,380", operand: "1380"))
        let byCopy = RepeatedOperand.find(in: Plan(steps: [step("s2", "29/6 + 2/3")]), earlier: [(step("s1", "5/12*10 + 2/3"), "29/6")])
        XCTAssertEqual(byCopy?.operand, "2/3")
    }

    func testTheSameOperationAppliedAgainIsFound() {
        let s2 = step("s2", "{{s1}} * 3")
        let finding = RepeatedOperand.find(in: Plan(steps: [step("s3", "{{s2}}*3")]), earlier: [(s2, "57")])
        XCTAssertEqual(finding, .init(step: "s3", earlier: "s2", earlierExpression: "{{s1}} * 3", operand: "*3"))
        XCTAssertNil(RepeatedOperand.find(in: Plan(steps: [step("s3", "{{s2}} + 3")]), earlier: [(s2, "57")]))
        let copied = RepeatedOperand.find(in: Plan(steps: [step("s4", "1.41421356*6")]), earlier: [(step("s2", "{{s1}}*6"), "1.41421356")])
        XCTAssertEqual(copied?.operand, "*6")
        XCTAssertNil(RepeatedOperand.find(in: Plan(steps: [step("s3", "{{s2}}")]), earlier: [(step("s2", "{{s1}}"), "45")]))
    }

    func testNewNumbersAndSmallConstantsPass() {
        let s1 = step("s1", "40503*70621")
        XCTAssertNil(RepeatedOperand.find(in: Plan(steps: [step("s2", "{{s1}} - 5000")]), earlier: [(s1, "2860362363")]))
        XCTAssertNil(RepeatedOperand.find(in: Plan(steps: [step("s2", "{{s1}}*2")]), earlier: [(step("s1", "2*x + 2"), "4")]))
        // A step that does not build on s1 may use the same numbers.
        XCTAssertNil(RepeatedOperand.find(in: Plan(steps: [step("s2", "76543 - 7")]), earlier: [(step("s1", "76543*3"), "229629")]))
    }

    func testTheFollowUpIsSentBackOnceAndNotRunWhenRepeated() async throws {
        let tools = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let repeated = #"{"remaining": "add the loose nails", "steps": [{"id": "s2", "tool": "evaluate", "arguments": {"expression": "{{s1}} + 1380"}}]}"#
        let model = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "1000 + 1380"], [])]),
            repeated,
            PlanExecuteTests.nothingRemains,
            #"{"source": "s1", "answer": "2380"}"#,
        ])
        let progress = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: Fixtures.agent(), progress: progress)
            .run(question: "1000 boxed nails and 1,380 loose ones: how many?")
        XCTAssertEqual(outcome.answer, "2380")
        let calls = await tools.calls.map(\.id)
        XCTAssertEqual(calls, ["s1"], "the repeated addition never ran")
        let requests = await model.requests
        let note = try XCTUnwrap(requests[2].messages.last?.content)
        XCTAssertTrue(note.contains("s1 (1000 + 1380) already includes 1380"), note)
        XCTAssertTrue(progress.observations.contains { $0.hasPrefix("plan questioned") })

        // Written again after the note, the step is not run; the answer rests on s1.
        let again = ScriptedModel([
            Fixtures.plan([("s1", "evaluate", ["expression": "1000 + 1380"], [])]),
            repeated, repeated,
            #"{"source": "s1", "answer": "2380"}"#,
        ])
        let tools2 = ScriptedToolExecutor(tools: [Fixtures.evaluate], handler: Fixtures.calc)
        let progress2 = ProgressLog()
        let outcome2 = try await Fixtures.orchestrator(model: again, tools: tools2, agent: Fixtures.agent(), progress: progress2)
            .run(question: "q")
        XCTAssertEqual(outcome2.answer, "2380")
        let calls2 = await tools2.calls.map(\.id)
        XCTAssertEqual(calls2, ["s1"])
        let requests2 = await again.requests
        XCTAssertEqual(requests2.map(PlanExecuteTests.asks), ["plan", "continue", "continue", "answer"])
        XCTAssertTrue(progress2.observations.contains { $0.hasPrefix("plan dropped") })
    }
}
