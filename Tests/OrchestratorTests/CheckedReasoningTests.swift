import AgentCore
import OrchestratorTestSupport
import XCTest
@testable import Orchestrator

final class ArithmeticClaimsTests: XCTestCase {
    private func claims(_ text: String) -> [String] {
        ArithmeticClaims.find(in: text).map { "\($0.expression)=\($0.written)" }
    }

    func testCalculationsAreFoundInTheNotationsModelsWrite() {
        XCTAssertEqual(claims(#"so \( 64 \times 0.25 = 16 \) and \[ \frac{30}{4} = 7.5 \]"#), ["64*0.25=16", "(30)/(4)=7.5"])
        XCTAssertEqual(claims("She pays $3.20 × 6 = $19.20, then 1,200 ÷ 8 = 150."), ["3.20*6=19.20", "1200/8=150"])
        XCTAssertEqual(claims("a discount of 240 * 15% = 36 dollars"), ["240*(15/100)=36"])
        XCTAssertEqual(claims("The floor is 9 x 11 = 99 square feet."), ["9*11=99"])
        XCTAssertEqual(claims("Left: (52 - 7) / 3 = 15"), ["(52-7)/3=15"])
    }

    func testChainsAreCheckedLinkByLink() {
        // The first `=` is followed by an expression, not a value: only the last link is a claim.
        XCTAssertEqual(claims("14 + 6 = 20 \\times 3 = 60"), ["20*3=60"])
        XCTAssertEqual(claims("Total = 5 + 8 = 13"), ["5+8=13"])
    }

    func testWhatIsNotACalculationIsLeftAlone() {
        XCTAssertEqual(claims("Number of apples = 12"), [], "a name is not an expression")
        XCTAssertEqual(claims("1. 3 + 4 = 7"), [], "a list number is not a decimal point")
        XCTAssertEqual(claims("if a == 2 + 2 then"), [], "a comparison is not a claim")
        XCTAssertEqual(claims("The ratio is 2 + 1 = 3/4 of it"), [], "a fraction as the value is not checked")
        XCTAssertEqual(claims("```python\nx = 3 + 4\nprint(x)\n```\n```output\n7\n```\n"), [], "code is not prose")
        XCTAssertEqual(claims("```python\nx = 1\n```\nso 2 + 2 = 5"), ["2+2=5"], "prose after code is")
    }

    func testARoundedValueAgreesAndAWrongOneDoesNot() throws {
        let third = try XCTUnwrap(ArithmeticClaims.find(in: "10 / 3 = 3.33").first)
        XCTAssertTrue(third.agrees(with: 10.0 / 3))
        let whole = try XCTUnwrap(ArithmeticClaims.find(in: "10 / 3 = 3").first)
        XCTAssertTrue(whole.agrees(with: 10.0 / 3), "whole items: rounding down is the model's choice")
        let wrong = try XCTUnwrap(ArithmeticClaims.find(in: "64 * 0.25 = 18").first)
        XCTAssertFalse(wrong.agrees(with: 16))
        XCTAssertEqual(ArithmeticClaims.number("10/4"), 2.5)
        XCTAssertEqual(ArithmeticClaims.format(2.5), "2.5")
        XCTAssertEqual(ArithmeticClaims.format(16), "16")
        XCTAssertEqual(ArithmeticClaims.format(10.0 / 3), "3.3333")
    }
}

final class ReasoningAnswerTests: XCTestCase {
    func testTheFinalResultIsTakenFromTheReasoningsLastWord() {
        XCTAssertEqual(ReasoningAnswer.final(in: "So 2 + 2 = 4.\nThe total is \\(\\boxed{4}\\) apples."), "The total is 4 apples.")
        XCTAssertEqual(ReasoningAnswer.final(in: "We get 5 then 6.\nAnswer: 6 cakes"), "6 cakes")
        XCTAssertEqual(ReasoningAnswer.final(in: "Step 1: 3 boxes\nSo she keeps 12 of them.\nDone."), "So she keeps 12 of them.")
        XCTAssertEqual(ReasoningAnswer.final(in: "\\boxed{\\frac{1}{2}} is it, out of 3"), "1/2",
                       "a box whose value the line does not end on is given alone")
        XCTAssertEqual(ReasoningAnswer.final(in: "```python\nprint(7 * 6)\n```\n```output\n42\n```\n"), "42")
    }
}

final class CheckedReasoningTests: XCTestCase {
    private static let runPython = ToolSpec(plugin: "code-runner", name: "run_python", description: "Run Python.",
                                            inputSchema: ["type": "object", "properties": ["code": ["type": "string"]],
                                                          "required": ["code"]])

    private func tools(python: @escaping @Sendable (String) -> (String, Bool) = { _ in ("", true) }) -> ScriptedToolExecutor {
        ScriptedToolExecutor(tools: [Fixtures.evaluate, Self.runPython]) { call in
            if call.name == "run_python" { return python(call.arguments["code"]?.stringValue ?? "") }
            return await Fixtures.calc(call)
        }
    }

    private func agent(maxSteps: Int = 8) -> AgentDefinition {
        Fixtures.agent(.checkedReasoning, plugins: ["calc", "code-runner"], limits: .init(maxSteps: maxSteps))
    }

    func testAWrongCalculationIsReplacedAndTheReasoningGoesOnFromTheRightValue() async throws {
        let tools = tools()
        let log = ProgressLog()
        let model = ScriptedModel([
            "Each crate holds 12 * 7 = 86 jars. Adding 4 gives 90.\nAnswer: 90",
            ". Adding 4 gives 84 + 4 = 88.\nAnswer: 88",
        ])
        let sink = MemoryTraceSink()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(), sink: sink, progress: log)
            .run(question: "How many jars?")
        XCTAssertEqual(outcome.answer, "88")
        XCTAssertNil(outcome.stop)
        let requests = await model.requests
        XCTAssertEqual(requests.count, 2)
        XCTAssertEqual(requests[0].prefill, "")
        XCTAssertEqual(requests[1].prefill, "Each crate holds 12 * 7 = 84", "cut at the wrong value, the right one in its place")
        XCTAssertEqual(requests[1].messages, requests[0].messages, "a continuation resends the same conversation")
        XCTAssertTrue(requests[0].messages[0].content.contains("a calculator checks every one"))
        let calls = await tools.calls
        XCTAssertEqual(calls.map { $0.arguments["expression"]?.stringValue }, ["12*7", "84+4"])
        XCTAssertEqual(log.observations, ["calc: 12*7 is 84, not 86; the reasoning goes on from 84"])
        let events = await sink.events
        XCTAssertEqual(events.filter { if case .modelCall = $0 { return true } else { return false } }.count, 2)
        XCTAssertEqual(events.filter { if case .toolCall = $0 { return true } else { return false } }.count, 2)
    }

    func testAProgramRunsAndItsRealOutputReplacesTheOneTheModelWouldWrite() async throws {
        let tools = tools { code in code.contains("print(6 * 7)") ? ("42\n", false) : ("SyntaxError", true) }
        let model = ScriptedModel([
            "Let me compute it.\n```python\nprint(6 * 7)\n```\n```output\n41\n```\nSo \\boxed{41}.",
            "The product is \\(\\boxed{42}\\).",
        ])
        await model.applyStopStrings()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent()).run(question: "6 times 7?")
        XCTAssertEqual(outcome.answer, "The product is 42.")
        let requests = await model.requests
        XCTAssertEqual(requests[0].stop, ["```output"])
        XCTAssertEqual(requests[1].prefill, "Let me compute it.\n```python\nprint(6 * 7)\n```\n```output\n42\n```\n")
        let calls = await tools.calls
        XCTAssertEqual(calls.map(\.name), ["run_python"])
    }

    func testAProgramTheModelEndsOnIsRunAndAFailureIsShownToIt() async throws {
        let tools = tools { _ in ("Traceback (most recent call last):\nNameError: name 'total' is not defined", true) }
        let model = ScriptedModel([
            "```python\nprint(total)\n```",
            "The program failed; by hand, 3 + 4 = 7.\nAnswer: 7",
        ])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent()).run(question: "3 plus 4?")
        XCTAssertEqual(outcome.answer, "7")
        let requests = await model.requests
        XCTAssertTrue(requests[1].prefill.hasSuffix("```output\nTraceback (most recent call last):\nNameError: name 'total' is not defined\n```\n"),
                      requests[1].prefill)
    }

    func testWithNoStepsLeftTheReasoningIsNoLongerCheckedButStillAnswers() async throws {
        let tools = tools()
        let model = ScriptedModel(["First 2 + 2 = 5, then 3 + 3 = 7.\nAnswer: 12"])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: agent(maxSteps: 0)).run(question: "q")
        XCTAssertEqual(outcome.answer, "12")
        let calls = await tools.calls
        XCTAssertTrue(calls.isEmpty)
    }

    func testSelfConsistencyTakesTheAnswerTwoPathsAgreeOnAndStopsThere() async throws {
        var voting = agent()
        voting.selfConsistency = 4
        let model = ScriptedModel(["So it is 5.\nAnswer: 5", "Answer: 6 eggs", "I get 6.\nAnswer: 6", "Answer: 7"])
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools(), agent: voting, progress: log).run(question: "q")
        XCTAssertEqual(outcome.answer, "6 eggs")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 3, "the fourth path is not needed once two agree")
        XCTAssertEqual(requests.map(\.sampling.temperature), [0, 0.7, 0.7])
        XCTAssertEqual(Set(requests.map(\.sampling.seed)).count, 3, "each path has its own seed")
        XCTAssertEqual(log.observations, ["path 1: 5", "path 2: 6 eggs", "path 3: 6"])
    }

    func testWithoutAgreementTheFirstPathAnswers() async throws {
        var voting = agent()
        voting.selfConsistency = 3
        let model = ScriptedModel(["Answer: 5", "Answer: 6", "Answer: 7"])
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools(), agent: voting).run(question: "q")
        XCTAssertEqual(outcome.answer, "5")
        let requests = await model.requests
        XCTAssertEqual(requests.count, 3)
    }

    func testAProgramThatFailedIsNotRunAgainAndAStuckPathDoesNotVote() async throws {
        let tools = tools { code in code.contains("Total") ? ("NameError: name 'Total' is not defined", true) : ("9\n", false) }
        let failing = "```python\ntotal = 4 + 5\nprint(Total)\n```\n"
        var voting = agent()
        voting.selfConsistency = 3
        let model = ScriptedModel([
            failing, "Let me fix it.\n" + failing,              // path 1 writes the failing program twice
            "```python\nprint(4 + 5)\n```\n", "So \\boxed{9}.",  // path 2
            "4 + 5 = 9.\nAnswer: 9",                                // path 3
        ])
        let log = ProgressLog()
        let outcome = try await Fixtures.orchestrator(model: model, tools: tools, agent: voting, progress: log).run(question: "q")
        XCTAssertEqual(outcome.answer, "So 9.")
        XCTAssertNil(outcome.stop, "the stuck path is not the answer's")
        let runs = await tools.calls.filter { $0.name == "run_python" }
        XCTAssertEqual(runs.count, 2, "the repeated failing program is not run again")
        XCTAssertTrue(log.observations.contains("the reasoning repeats a program that already failed; this path ends"))
    }

    func testAnAgentWithoutTheStrategysPromptsIsAClearError() async throws {
        var agent = agent()
        agent.prompts = [:]
        let model = ScriptedModel(["Answer: 1"])
        do {
            _ = try await Fixtures.orchestrator(model: model, tools: tools(), agent: agent).run(question: "q")
            XCTFail("ran without prompts")
        } catch {
            XCTAssertTrue("\(error)".contains("checked-reasoning.prompts"), "\(error)")
        }
    }
}
