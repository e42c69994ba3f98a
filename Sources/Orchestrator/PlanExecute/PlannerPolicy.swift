import AgentCore

/// A rule the plan-then-execute planner follows on top of its phases (plan → execute → observe → follow
/// up or answer). Each one exists because small models go wrong in a particular way without it; an agent
/// lists the ones it runs with (`policies:` in its YAML, the defaults when left out), and `loom eval
/// --policies` switches one off, so that what each is worth can be measured on the held-out set.
public enum PlannerPolicy: String, CaseIterable, Codable, Sendable {
    /// The first plan starts with a short free-text `"thought"` about how to get the answer, then the
    /// constrained parts and steps (think, then constrain).
    case thinkFirst = "think-first"
    /// Before the first plan the model works the problem out in words, unconstrained (as it would with no
    /// tools); the plan then computes that reasoning's calculations with the tools (think, then constrain).
    case draftFirst = "draft-first"
    /// The first plan lists the question's parts before its steps, and follow-ups quote that list, so
    /// the model checks the results against the whole question rather than the first part.
    case questionParts = "question-parts"
    /// After a round that gathered data (a page) but computed nothing, the next plan must call one of
    /// the agent's `compute_tools`, instead of the model adding the page's figures up in its head.
    case computeAfterGathering = "compute-after-gathering"
    /// A follow-up step that applies a number again which the step it builds on already used is sent
    /// back once and, written again, not run.
    case repeatedOperand = "repeated-operand"
    /// A step whose result only restates its argument (`evaluate "214"`) is not a source of the answer.
    case skipEchoes = "skip-echoes"
    /// The answer first names the step it rests on; its text then starts with that step's value, and
    /// arithmetic written after the value is cut.
    case answerFromSource = "answer-from-source"
    /// The follow-up that finds nothing remains writes the answer in the same call, instead of a
    /// separate answer call re-reading the results.
    case answerWhenDone = "answer-when-done"
    /// A follow-up whose steps only repeat calls already made ends the planning: the answer is written
    /// from the results so far.
    case stopOnRepeats = "stop-on-repeats"

    /// The policies of an agent that does not list its own.
    public static let defaults: [PlannerPolicy] = [
        .questionParts, .computeAfterGathering, .repeatedOperand, .skipEchoes, .answerFromSource,
        .answerWhenDone, .stopOnRepeats,
    ]

    /// The policies named by an agent (its defaults when it names none); unknown names are an error.
    public static func resolve(_ names: [String]?) throws -> Set<PlannerPolicy> {
        guard let names else { return Set(defaults) }
        return Set(try names.map { name in
            guard let policy = PlannerPolicy(rawValue: name) else { throw UnknownPolicy(name: name) }
            return policy
        })
    }

    /// A policy name that is not one of `PlannerPolicy`'s.
    public struct UnknownPolicy: Error, CustomStringConvertible, Sendable {
        /// The name as written.
        public var name: String
        /// An unknown-policy error for `name`.
        public init(name: String) { self.name = name }
        public var description: String {
            "unknown planner policy '\(name)' (known: \(PlannerPolicy.allCases.map(\.rawValue).joined(separator: ", ")))"
        }
    }
}
