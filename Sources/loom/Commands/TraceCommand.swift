import AgentRuntime
import ArgumentParser
import Foundation
import Traces

/// `loom trace`: Show a recorded trace as text or as an HTML timeline.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "trace", abstract: "Show a recorded trace as text or as an HTML timeline.",
                                                    subcommands: [Show.self, HTML.self])

    /// `loom trace show TRACE`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a readable transcript with step timings and token counts.")

        @Argument(help: "The trace file.") var trace: String

        func run() async throws {
            print(TraceText.render(try read(trace)), terminator: "")
        }
    }

    /// `loom trace html TRACE -o run.html`.
    struct HTML: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "html", abstract: "Write a self-contained HTML page with a timeline of the run.")

        @Argument(help: "The trace file.") var trace: String
        @Option(name: [.short, .customLong("output")], help: "Where to write the page.") var output: String
        @Flag(help: "Replay the trace offline first and highlight where the replay diverges from the record.")
        var replay = false

        func run() async throws {
            var divergence: Divergence?
            if replay {
                let result = try await TraceReplay.run(.init(path: trace, mode: .offline), components: .standard)
                divergence = result.report.divergence
                print(divergence.map { "replay diverged at line \($0.line) (\($0.event))" } ?? "replay matched the record")
            }
            let page = TraceHTML.render(try read(trace), divergence: divergence)
            do { try page.write(toFile: output, atomically: true, encoding: .utf8) } catch {
                FileHandleOutput.standardError("loom trace html: cannot write \(output): \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
            print("wrote \(output)")
        }
    }

    /// Reads a trace, turning errors into a message and exit status 2.
    static func read(_ path: String) throws -> TraceFile {
        do { return try TraceReader.read(path: path) } catch {
            FileHandleOutput.standardError("loom trace: \(error)\n")
            throw ExitCode(2)
        }
    }
}

private func read(_ path: String) throws -> TraceFile { try TraceCommand.read(path) }
