import AgentCore
import Foundation

/// Checked reasoning: the model works the question out in its own words, as it would with no tools, and
/// the tools check the work as it is written. Each calculation in the prose (`95 \times 0.20 = 19`) is
/// computed by calc's `evaluate`; at the first wrong value the reasoning is cut there, the right value
/// put in its place, and the model goes on from it. Each Python program the model writes
/// (```` ```python ````) is run by `run_python`, and its real output goes into the ```` ```output ````
/// block after it — the format code models write on their own, with an output they would otherwise
/// make up. The answer is the reasoning's final result (`\boxed{…}`, an `Answer:` line, or its last line).
///
/// With `self_consistency: N` the agent takes up to N such paths, the ones after the first sampled at
/// temperature 0.7, and stops as soon as two end on the same final number (self-consistency; a path
/// costs as much as the first, so two agreeing is enough).
///
/// Where a plan of tool calls makes a small model translate the whole question into calls at once, this
/// keeps its reasoning and takes only the arithmetic out of its head. Every check and run is a tool call
/// in the trace, and every continuation a model call, so a run replays like any other.
public struct CheckedReasoningPlanner: Planner {
    /// The tool that computes the calculations of the prose.
    public static let calculator = "evaluate"
    /// The tool that runs the Python programs of the reasoning.
    public static let programRunner = "run_python"
    /// Most rounds of generation (each check that corrects a value or runs a program starts one).
    static let maxRounds = 24
    /// Characters of a program's output written into the reasoning.
    static let outputLimit = 1500

    /// Creates the planner.
    public init() {}

    public func run(_ session: RunSession) async throws -> PlannerResult {
        guard let templates = session.agent.prompts?[AgentDefinition.Strategy.checkedReasoning.rawValue] else {
            throw OrchestratorError.invalidConfiguration(
                reason: "the agent has no checked-reasoning prompts (Agents/prompts/checked-reasoning.prompts)")
        }
        let system = templates.render("system", ["system_prompt": session.agent.systemPrompt])
        let messages: [Message] = [.system(system), .user(session.question)]
        let paths = max(session.agent.selfConsistency ?? 1, 1)
        var answers: [ReasoningPath] = []
        var calls = 0
        for index in 0..<paths {
            var sampling = session.agent.sampling
            if index > 0 {
                sampling.temperature = max(sampling.temperature, Self.samplingTemperature)
                sampling.seed &+= UInt64(index)
            }
            var path = ReasoningRun(session: session, messages: messages, sampling: sampling, calls: calls)
            let answer = try await path.run()
            calls = path.calls
            answers.append(answer)
            if paths > 1 {
                session.report(.observation("path \(index + 1): \(Truncation.fit(answer.answer, limit: 160))"))
            }
            // A spent budget ends the run; a path that got stuck (the same failing program again) only
            // loses its vote.
            if let stop = answer.stop, !stop.isRepeat { break }
            if Self.agreed(answers.filter { $0.stop == nil }) != nil { break }
        }
        // The answer two finished paths agree on; else the first finished path's (the first is the
        // agent's own sampling); else the first path's, with its stop.
        let voters = answers.filter { $0.stop == nil }
        let chosen = Self.agreed(voters) ?? voters.first ?? answers[0]
        let stop = chosen.stop
        let note = RunNotes.missingNote(stop: stop, missing: [])
        return PlannerResult(answer: note.map { chosen.answer + "\n\n(" + $0 + ")" } ?? chosen.answer, stop: stop)
    }

    /// The temperature of the paths after the first.
    static let samplingTemperature = 0.7

    /// The first answer another one ends on the same final number as.
    static func agreed(_ answers: [ReasoningPath]) -> ReasoningPath? {
        for (index, answer) in answers.enumerated() {
            guard let value = answer.value else { continue }
            if answers[(index + 1)...].contains(where: { $0.value.map { abs($0 - value) <= 1e-9 * max(1, abs(value)) } ?? false }) {
                return answer
            }
        }
        return nil
    }
}

/// The result of one reasoning path: its answer, its final number (for the vote) and its budget stop.
struct ReasoningPath: Sendable {
    var answer: String
    var stop: BudgetStop?
    var value: Double? { ReasoningAnswer.lastNumber(in: answer).flatMap { ArithmeticClaims.number($0) } }
}

/// One run of checked reasoning: the text so far, how much of it is checked, and the rounds.
struct ReasoningRun {
    let session: RunSession
    let messages: [Message]
    let sampling: SamplingSettings
    /// The reasoning so far (the assistant's turn, prefilled into each continuation).
    var text = ""
    /// Characters at the start of `text` that are checked and final.
    var checked = 0
    /// Tool calls made so far in the whole run (their ids are numbered on from it).
    var calls: Int
    var stop: BudgetStop?
    /// The programs of this path that failed, as written.
    var failedPrograms: Set<String> = []

    var canCompute: Bool { session.catalog.tool(named: CheckedReasoningPlanner.calculator) != nil }
    var canRun: Bool { session.catalog.tool(named: CheckedReasoningPlanner.programRunner) != nil }

    init(session: RunSession, messages: [Message], sampling: SamplingSettings, calls: Int) {
        self.session = session
        self.messages = messages
        self.sampling = sampling
        self.calls = calls
    }

    mutating func run() async throws -> ReasoningPath {
        var finished = false
        for _ in 0..<CheckedReasoningPlanner.maxRounds {
            if let spent = session.budget.exhausted() { stop = spent; break }
            let request = CompletionRequest(messages: messages, sampling: sampling,
                                            maxTokens: session.agent.limits.maxTokens,
                                            stop: canRun ? [ProgramBlocks.outputFence] : [], prefill: text)
            let completion = try await session.complete(purpose: "reason", request)
            if completion.finishReason == .promptTooLong {
                stop = .context(tokens: completion.promptTokens.count)
                break
            }
            text += completion.text
            if await correctFirstMistake() { continue }
            if stop != nil { finished = true; break }
            if completion.finishReason == .stopString {
                // An output block with no program before it: the model writes it itself.
                text += ProgramBlocks.outputFence
                continue
            }
            if completion.finishReason == .maxTokens { stop = session.budget.exhausted() ?? .tokens(limit: session.agent.limits.maxTokens) }
            finished = true
            break
        }
        // Every round but the last followed a tool call: out of rounds is out of steps.
        if !finished, stop == nil { stop = .steps(limit: calls) }
        return ReasoningPath(answer: ReasoningAnswer.final(in: text), stop: stop)
    }

    /// Checks the text after `checked`: the calculations of its prose up to the first program not yet
    /// run, then that program. Returns true when the text changed (a value was corrected or a program's
    /// output put in), so that the model goes on from there.
    mutating func correctFirstMistake() async -> Bool {
        let from = text.index(text.startIndex, offsetBy: checked)
        let program = canRun ? ProgramBlocks.firstUnrun(in: text, from: from) : nil
        let proseEnd = program?.block.upperBound ?? text.endIndex
        if canCompute, session.budget.remainingSteps > 0 {
            let claims = ArithmeticClaims.find(in: text, from: from).filter { $0.writtenRange.upperBound <= proseEnd }
            if let (claim, correct) = await firstWrong(claims) {
                let value = ArithmeticClaims.format(correct)
                session.report(.observation("calc: \(claim.expression) is \(value), not \(claim.written); the reasoning goes on from \(value)"))
                text = String(text[..<claim.writtenRange.lowerBound]) + value
                checked = text.count
                return true
            }
        }
        guard let program, session.budget.remainingSteps > 0 else { return false }
        let code = program.code.trimmingCharacters(in: .whitespacesAndNewlines)
        if failedPrograms.contains(code) {
            // The model wrote a program that already failed: running it again cannot help.
            session.report(.observation("the reasoning repeats a program that already failed; this path ends"))
            stop = .repeatedCalls(tool: CheckedReasoningPlanner.programRunner)
            return false
        }
        let (output, failed) = await run(program.code)
        if failed { failedPrograms.insert(code) }
        text = String(text[..<program.block.upperBound]) + "\n" + ProgramBlocks.outputFence + "\n" + output + "\n```\n"
        checked = text.count
        return true
    }

    /// Computes `claims` with the calculator (at most as many as the step budget allows) and returns the
    /// first whose written value is not the computed one.
    mutating func firstWrong(_ claims: [ArithmeticClaim]) async -> (ArithmeticClaim, Double)? {
        let checkable = Array(claims.prefix(session.budget.remainingSteps))
        guard !checkable.isEmpty else { return nil }
        // The session remembers every result by tool and arguments: a calculation already made is not
        // made again, and each new one is made once.
        let checks = checkable.map { ToolCall(id: "", name: CheckedReasoningPlanner.calculator,
                                              arguments: ["expression": .string($0.expression)]) }
        var toRun: [ToolCall] = []
        for check in checks where session.previousResult(of: check) == nil && !toRun.contains(where: { $0.arguments == check.arguments }) {
            toRun.append(nextCall(check.name, check.arguments))
        }
        _ = await session.execute(toRun)
        for (claim, check) in zip(checkable, checks) {
            guard let result = session.previousResult(of: check), !result.isError,
                  let correct = ArithmeticClaims.number(References.value(of: result)) else { continue }
            if !claim.agrees(with: correct) { return (claim, correct) }
        }
        return nil
    }

    /// Runs a program and returns what goes into its output block (what it printed, or its error) and
    /// whether it failed.
    mutating func run(_ code: String) async -> (String, Bool) {
        let call = nextCall(CheckedReasoningPlanner.programRunner, ["code": .string(code)])
        let result = await session.execute([call])[0]
        let structured = result.structured
        let stdout = structured?["stdout"]?.stringValue ?? (result.isError ? "" : result.content)
        let stderr = structured?["stderr"]?.stringValue ?? (result.isError ? result.content : "")
        var output = stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let failed = result.isError || structured?["exit_code"].map { $0 != .int(0) } == true
        if failed {
            let error = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            output += (output.isEmpty ? "" : "\n") + String(error.suffix(600))
        }
        return (Truncation.fit(output, limit: CheckedReasoningPlanner.outputLimit), failed)
    }

    mutating func nextCall(_ tool: String, _ arguments: JSONValue) -> ToolCall {
        calls += 1
        return ToolCall(id: "c\(calls)", name: tool, arguments: arguments)
    }
}
