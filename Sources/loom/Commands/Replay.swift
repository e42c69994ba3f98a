import AgentRuntime
import ArgumentParser
import Foundation

/// `loom replay`: Replay a recorded trace offline or live and report where it diverges.
struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "replay", abstract: "Replay a recorded trace offline or live and report where it diverges.")

    @Argument(help: "The trace file (JSON Lines).") var trace: String
    @Flag(name: .customLong("live-tools"), help: "Run the tools again and diff their results against the record.")
    var liveTools = false
    @Flag(name: .customLong("live-model"), help: "Run the model again with the recorded seed; compare token for token.")
    var liveModel = false
    @Option(name: .customLong("until"), help: "Replay from the record up to (not including) trace line N, then continue live into a new trace.")
    var until: Int?
    @Option(help: "With --until: continue with this model instead of the recorded one.") var model: String?
    @Option(help: "With --until: continue with this agent (name or file) instead of the recorded one.") var agent: String?
    @Option(name: [.short, .customLong("output")], help: "With --until: where to write the new trace.") var output: String?
    @Flag(help: "Print a JSON summary.") var json = false

    func validate() throws {
        if liveTools && liveModel { throw ValidationError("--live-tools and --live-model cannot be combined; replay once with each") }
        if until != nil && (liveTools || liveModel) { throw ValidationError("--until forks a run; it cannot be combined with --live-tools or --live-model") }
        if until == nil && (model != nil || agent != nil || output != nil) {
            throw ValidationError("--model, --agent and --output only apply to a fork (--until N)")
        }
        if let until, until < 2 { throw ValidationError("--until must name a trace line after the header (2 or more)") }
    }

    func run() async throws {
        let mode = TraceReplay.Request.mode(until: until, liveModel: liveModel, liveTools: liveTools)
        let result: TraceReplay.Result
        do {
            let agentOverride = try agent.map { try AgentLoader.load($0) }
            result = try await TraceReplay.run(.init(path: trace, mode: mode, agent: agentOverride, modelName: model, forkPath: output),
                                               components: .standard)
        } catch {
            FileHandleOutput.standardError("loom replay: \(error)\n")
            throw ExitCode(2)
        }
        print(json ? ReplayOutput.json(result) : ReplayOutput.text(result), terminator: json ? "\n" : "")
        if case .fork = mode { return }
        if !result.report.matched { throw ExitCode(1) }
    }
}
