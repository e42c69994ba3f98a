import AgentCore
import Foundation
import PluginHost

/// Measures a plugin under its sandbox: cold start (spawn, `initialize`, `tools/list`) and warm
/// `tools/call` round trips on a running plugin.
public struct PluginBenchmark: Sendable {
    /// Percentiles of one measurement, in milliseconds.
    public struct Summary: Sendable, Equatable {
        /// Number of samples.
        public var count: Int
        /// Fastest sample.
        public var min: Double
        /// Median.
        public var p50: Double
        /// 90th percentile.
        public var p90: Double

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            func at(_ q: Double) -> Double {
                sorted.isEmpty ? 0 : sorted[Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
            }
            count = sorted.count
            min = sorted.first ?? 0
            p50 = at(0.5)
            p90 = at(0.9)
        }

        var text: String { String(format: "p50 %.2f ms, p90 %.2f ms, min %.2f ms (n=%d)", p50, p90, min, count) }
    }

    /// Cold start and warm call summaries.
    public struct Report: Sendable {
        /// Spawn + handshake + tool listing.
        public var coldStart: Summary
        /// One `tools/call` round trip on a running plugin.
        public var warmCall: Summary
        /// The result of the last call (to show it worked).
        public var lastResult: ToolResult?

        /// Lines for the terminal.
        public var text: String {
            "cold start: \(coldStart.text)\nwarm call:  \(warmCall.text)"
                + (lastResult.map { "\nlast result (\($0.isError ? "error" : "ok")): \($0.content.prefix(200))" } ?? "")
        }
    }

    /// Runs `starts` cold starts and `calls` warm calls of `tool` with `arguments`.
    public static func run(setup: PluginSetup, plugin name: String, tool: String, arguments: JSONValue,
                           starts: Int, calls: Int, allowUnsandboxed: Bool) async throws -> Report {
        let plugin = try setup.registry.plugin(named: name)
        let clock = ContinuousClock()
        func milliseconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        }
        var cold: [Double] = []
        for _ in 0..<max(0, starts) {
            let executor = try setup.executor(plugins: [plugin], allowUnsandboxed: allowUnsandboxed)
            let begin = clock.now
            _ = try await executor.start(pluginNamed: name)
            cold.append(milliseconds(begin.duration(to: clock.now)))
            await executor.shutdown()
        }
        var warm: [Double] = []
        var last: ToolResult?
        if calls > 0 {
            let executor = try setup.executor(plugins: [plugin], allowUnsandboxed: allowUnsandboxed)
            let call = ToolCall(id: "bench", name: "\(name).\(tool)", arguments: arguments)
            last = await executor.call(call)
            for _ in 0..<calls {
                let begin = clock.now
                last = await executor.call(call)
                warm.append(milliseconds(begin.duration(to: clock.now)))
            }
            await executor.shutdown()
        }
        return Report(coldStart: Summary(cold), warmCall: Summary(warm), lastResult: last)
    }
}
