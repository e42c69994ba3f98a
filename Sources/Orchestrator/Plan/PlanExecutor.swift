import Foundation
import AgentCore

/// Runs a validated plan wave by wave: every step whose dependencies have succeeded runs concurrently
/// with the others of its wave; a step whose dependency failed is skipped.
enum PlanExecutor {
    /// How one step ended.
    struct StepOutcome {
        enum State {
            case done(ToolResult)
            case failed(ToolResult)
            case skipped(reason: String)
        }
        var step: Plan.Step
        var state: State

        var succeeded: Bool { if case .done = state { return true } else { return false } }
        var result: ToolResult? {
            switch state {
            case .done(let r), .failed(let r): return r
            case .skipped: return nil
            }
        }
    }

    /// What a round produced.
    struct Round {
        /// One outcome per step, in plan order.
        var outcomes: [StepOutcome]
        /// The budget that stopped the round, if any.
        var stop: BudgetStop?
        /// How many steps repeated an earlier failed call and were not run again.
        var repeatedFailures: Int
        /// How many steps repeated an earlier successful call and took its result without running.
        var repeatedSuccesses: Int
    }

    /// Runs `plan`; `completed` holds results of earlier rounds (by step id) and gains this round's successes.
    static func run(_ plan: Plan, session: RunSession, completed: inout [String: ToolResult]) async -> Round {
        var states: [String: StepOutcome.State] = [:]
        var pending = plan.steps
        var stop: BudgetStop?
        var repeatedFailures = 0
        var repeatedSuccesses = 0
        while !pending.isEmpty {
            var ready: [Plan.Step] = []
            var waiting: [Plan.Step] = []
            var changed = false
            for step in pending {
                if let bad = step.dependsOn.first(where: { completed[$0] == nil && states[$0] != nil }) {
                    states[step.id] = .skipped(reason: "it depends on \(bad), which did not succeed")
                    changed = true
                } else if step.dependsOn.allSatisfy({ completed[$0] != nil }) {
                    ready.append(step)
                } else {
                    waiting.append(step)
                }
            }
            pending = waiting
            if ready.isEmpty {
                if changed { continue }
                break  // nothing can make progress; validation makes this unreachable
            }
            if stop == nil { stop = session.budget.wallTimeExhausted() }
            let allowed = stop == nil ? min(ready.count, session.budget.remainingSteps) : 0
            if allowed < ready.count, stop == nil { stop = .steps(limit: session.agent.limits.maxSteps) }
            for step in ready.dropFirst(allowed) { states[step.id] = .skipped(reason: stop?.description ?? "budget") }
            let texts = completed.mapValues(References.value(of:))
            var toRun: [ToolCall] = []
            for step in ready.prefix(allowed) {
                let call = ToolCall(id: step.id, name: step.tool, arguments: References.resolve(step.arguments, results: texts))
                if let earlier = session.previousResult(of: call) {
                    var reused = earlier
                    reused.callID = step.id
                    if earlier.isError {
                        repeatedFailures += 1
                        reused.content = "Not run again: the identical call \(earlier.callID) already failed with: " + earlier.content
                        states[step.id] = .failed(reused)
                    } else {
                        repeatedSuccesses += 1
                        states[step.id] = .done(reused)
                        completed[step.id] = reused
                    }
                    session.report(.observation("step \(step.id) repeats call \(earlier.callID); not run again"))
                } else {
                    toRun.append(call)
                }
            }
            for (call, result) in zip(toRun, await session.execute(toRun)) {
                states[call.id] = result.isError ? .failed(result) : .done(result)
                if !result.isError { completed[call.id] = result }
            }
        }
        let outcomes = plan.steps.map { step in
            StepOutcome(step: step, state: states[step.id] ?? .skipped(reason: "its dependencies never completed"))
        }
        return Round(outcomes: outcomes, stop: stop, repeatedFailures: repeatedFailures,
                     repeatedSuccesses: repeatedSuccesses)
    }
}
