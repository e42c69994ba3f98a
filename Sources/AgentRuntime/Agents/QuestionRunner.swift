import AgentCore
import Foundation
import Orchestrator
import Traces

/// Runs one question with an agent: opens the model and tools, writes the trace header, runs the
/// orchestrator and closes the trace. `loom ask` and `loom eval` share it.
public struct QuestionRunner: Sendable {
    /// The finished run.
    public struct Result: Sendable {
        /// The orchestrator's outcome.
        public var outcome: RunOutcome
        /// Where the trace was written.
        public var tracePath: String
        /// The model's mistakes the planner fed back to it (unparseable output, unknown tools, …).
        public var observations: [String]
    }

    /// Collects observations from the progress stream, from any thread.
    final class Observations: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    let components: LiveComponents

    /// Creates a runner over live components.
    public init(components: LiveComponents) { self.components = components }

    /// A default trace path: `$LOOM_HOME/traces/<timestamp>-<agent>.jsonl`.
    public static func defaultTracePath(agent: String, home: LoomHome = LoomHome(), date: Date = Date()) -> String {
        let stamp = ISO8601DateFormatter().string(from: date).replacingOccurrences(of: ":", with: "")
        return home.traces.appendingPathComponent("\(stamp)-\(agent)-\(UUID().uuidString.prefix(6)).jsonl").path
    }

    /// Answers `question` with `agent`, recording to `tracePath`.
    ///
    /// - Parameters:
    ///   - modelName: overrides the agent's model.
    ///   - runSeed: the run's own seed (fence boundary); recorded in the header.
    ///   - parent: the trace this run forks, if any.
    public func run(question: String, agent: AgentDefinition, modelName: String? = nil, runSeed: UInt64 = 0,
                    tracePath: String, parent: String? = nil,
                    progress: (@Sendable (ProgressEvent) -> Void)? = nil) async throws -> Result {
        let model = try await components.model(modelName ?? agent.model, agent.modelAPIKeyEnv)
        let tools = try await components.tools(agent.plugins)
        let sink: FileTraceSink
        do { sink = try FileTraceSink(path: tracePath) } catch {
            throw AgentRunError.traceUnwritable(path: tracePath, reason: "\(error)")
        }
        let available = try await tools.tools()
        await sink.record(.header(Trace.Header(
            loomVersion: LoomVersion.current, question: question, agent: agent, model: model.info, tools: available,
            startedAt: ISO8601DateFormatter().string(from: Date()), parent: parent, runSeed: runSeed,
            plugins: await components.pluginVersions())))
        let observations = Observations()
        let orchestrator = Orchestrator(model: model, tools: tools,
                                        configuration: RunConfiguration(agent: agent, runSeed: runSeed),
                                        sink: sink, progress: { event in
                                            if case .observation(let text) = event { observations.add(text) }
                                            progress?(event)
                                        })
        do {
            let outcome = try await orchestrator.run(question: question)
            await sink.close()
            return Result(outcome: outcome, tracePath: tracePath, observations: observations.all)
        } catch {
            await sink.close()
            throw error
        }
    }
}
