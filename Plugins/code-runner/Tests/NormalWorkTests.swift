import Foundation
import MCP
import TestSupport
import XCTest

/// Ordinary use: numeric Python with the standard library, stdin, functions, shell pipelines, and model
/// mistakes (syntax errors, bad arguments) answered as readable results.
final class NormalWorkTests: CodeRunnerTestCase {
    func testNumericPythonWithTheStandardLibrary() async throws {
        let answer = try await harness.python("""
            import math, statistics
            from fractions import Fraction
            print(sum(Fraction(1, n) for n in range(1, 11)))
            print(math.comb(52, 5), math.isqrt(10**20 + 12345))
            print(statistics.mean([2, 4, 4, 4, 5, 5, 7, 9]), statistics.pstdev([2, 4, 4, 4, 5, 5, 7, 9]))
            print(f"{math.pi:.10f}")
            """)
        XCTAssertFalse(answer.isError, answer.text)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "7381/2520\n2598960 10000000000\n5 2.0\n3.1415926536\n", answer.text)
        XCTAssertEqual(answer.stderr, "")
        XCTAssertNil(answer.limitHit)
        XCTAssertEqual(answer.fields["sandbox"]?.stringValue, "bubblewrap")
        XCTAssertTrue(answer.text.hasPrefix("exit code 0, "), answer.text)
    }

    /// Debian's SymPy and NumPy (under `/usr/lib/python3/dist-packages`) import and compute in the sandbox.
    func testSympyAndNumpyInsideTheSandbox() async throws {
        for package in ["sympy", "numpy"]
        where !FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/\(package)/__init__.py") {
            try TestModels.requirement("python3-\(package) is missing; run scripts/install-system-packages.sh")
        }
        let answer = try await harness.python("""
            import sympy, numpy
            x = sympy.symbols('x')
            print(sympy.factor(x**4 - 1), sympy.integrate(x * sympy.exp(x), x))
            matrix = numpy.array([[2.0, 1.0], [1.0, 3.0]])
            print(numpy.linalg.solve(matrix, numpy.array([3.0, 5.0])).round(6).tolist(), int(numpy.arange(1, 11).prod()))
            print(sympy.__file__.startswith('/usr/lib/python3/dist-packages/'), numpy.__file__.startswith('/usr/lib/python3/dist-packages/'))
            """, timeout: 60)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "(x - 1)*(x + 1)*(x**2 + 1) (x - 1)*exp(x)\n[0.8, 1.4] 3628800\nTrue True\n", answer.text)
        XCTAssertEqual(answer.fields["sandbox"]?.stringValue, "bubblewrap")
    }

    func testLineBreaksEscapedTwiceAreRepairedAndSaidSo() async throws {
        // What a model writes when it escapes the code of a JSON tool call twice.
        let answer = try await harness.python(#"import math\nfor n in (5, 6):\n    print(math.factorial(n), \"ok\")"#)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "120 ok\n720 ok\n", answer.text)
        XCTAssertTrue(answer.text.contains("line breaks written as \\n"), answer.text)

        // A backslash inside a string literal is the program's own: it runs unchanged.
        let literal = try await harness.python(#"print('a\nb')  # one line"#)
        XCTAssertEqual(literal.stdout, "a\nb\n", literal.text)
        XCTAssertFalse(literal.text.contains("line breaks written"), literal.text)
    }

    func testReadingStdin() async throws {
        let answer = try await harness.python("""
            import sys
            numbers = [int(line) for line in sys.stdin if line.strip()]
            print(len(numbers), sum(numbers))
            """, stdin: (1...1000).map(String.init).joined(separator: "\n") + "\n")
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "1000 500500\n", answer.text)

        let large = String(repeating: "abcdefghij", count: 10_000)
        let echo = try await harness.shell("wc -c", stdin: large)
        XCTAssertEqual(echo.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "100000", echo.text)
    }

    func testLongOutputKeepsItsStartAndEnd() async throws {
        let answer = try await harness.python("for i in range(20000):\n    print('line', i)")
        XCTAssertEqual(answer.exitCode, 0, String(answer.text.prefix(300)))
        XCTAssertNil(answer.limitHit, "long output below the kill threshold is only truncated")
        XCTAssertEqual(answer.fields["stdout_truncated"]?.boolValue, true)
        XCTAssertTrue(answer.stdout.hasPrefix("line 0\nline 1\n"))
        XCTAssertTrue(answer.stdout.hasSuffix("line 19998\nline 19999\n"))
        XCTAssertTrue(answer.stdout.contains("output truncated"))
        XCTAssertEqual(answer.fields["stdout_bytes"]?.intValue, (0..<20000).reduce(0) { $0 + "line \($1)\n".utf8.count })
    }

    func testStdinTheProgramNeverReads() async throws {
        let answer = try await harness.python("print('ignoring stdin')", stdin: String(repeating: "x", count: 300_000))
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "ignoring stdin\n")
        try await harness.assertAnswersNormally()
    }

    func testMultiLineScriptDefiningFunctions() async throws {
        let answer = try await harness.python("""
            def fibonacci(n):
                a, b = 0, 1
                for _ in range(n):
                    a, b = b, a + b
                return a

            def is_prime(n):
                return n > 1 and all(n % d for d in range(2, int(n ** 0.5) + 1))

            class Counter:
                def __init__(self):
                    self.count = 0
                def add(self, value):
                    self.count += value
                    return self

            print([fibonacci(n) for n in range(10)])
            print([n for n in range(30) if is_prime(n)])
            print(Counter().add(2).add(3).count)
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "[0, 1, 1, 2, 3, 5, 8, 13, 21, 34]\n[2, 3, 5, 7, 11, 13, 17, 19, 23, 29]\n5\n")
    }

    func testShellScriptWithPipes() async throws {
        let answer = try await harness.shell("""
            set -euo pipefail
            printf 'pear\\napple\\nfig\\napple\\n' | sort | uniq -c | sort -rn | head -1 | awk '{print $2, $1}'
            seq 1 100 | paste -sd+ | bc 2>/dev/null || seq 1 100 | awk '{s+=$1} END {print s}'
            echo "$(whoami) in $(pwd)"
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertEqual(answer.stdout, "apple 2\n5050\nsandbox in /work\n", answer.text)
    }

    func testErrorsInTheCodeAreResultsWithTracebacks() async throws {
        let syntax = try await harness.python("def broken(:\n    pass\n")
        XCTAssertFalse(syntax.isError, "a model's mistake is a result, not a tool error")
        XCTAssertEqual(syntax.exitCode, 1, syntax.text)
        XCTAssertTrue(syntax.stderr.contains("SyntaxError"), syntax.text)
        XCTAssertTrue(syntax.stderr.contains("/work/main.py"), syntax.text)

        let failure = try await harness.python("import sys\nprint('partial')\nsys.exit(3)")
        XCTAssertEqual(failure.exitCode, 3, failure.text)
        XCTAssertEqual(failure.stdout, "partial\n")
        XCTAssertTrue(failure.text.hasPrefix("exit code 3"), failure.text)

        let shell = try await harness.shell("echo to-stderr >&2; false")
        XCTAssertEqual(shell.exitCode, 1, shell.text)
        XCTAssertEqual(shell.stderr, "to-stderr\n", shell.text)
    }

    func testBadArgumentsAreToolErrors() async throws {
        let missing = try await harness.call("run_python", ["source": .string("print(1)")])
        XCTAssertTrue(missing.isError)
        XCTAssertTrue(missing.text.contains("'code'"), missing.text)

        let wrongType = try await harness.call("run_shell", ["script": .int(3)])
        XCTAssertTrue(wrongType.isError)
        XCTAssertTrue(wrongType.text.contains("must be a string"), wrongType.text)

        let timeout = try await harness.call("run_python", ["code": .string("print(1)"), "timeout_s": .int(600)])
        XCTAssertTrue(timeout.isError)
        XCTAssertTrue(timeout.text.contains("between 1 and 60"), timeout.text)

        let badStdin = try await harness.call("run_python", ["code": .string("print(1)"), "stdin": .array([])])
        XCTAssertTrue(badStdin.isError)
        XCTAssertTrue(badStdin.text.contains("'stdin'"), badStdin.text)
        try await harness.assertAnswersNormally()
    }

    func testToolsAreListedWithSchemas() async throws {
        let (tools, _) = try await harness.plugin.client.listTools()
        XCTAssertEqual(tools.map(\.name), ["run_python", "run_shell"])
        let required = tools.first?.inputSchema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue)
        XCTAssertEqual(required, ["code"])
    }

    func testManifestMatchesTheTools() throws {
        let url = Repository.root.appendingPathComponent("Plugins/code-runner/manifest.json")
        let manifest = try JSONDecoder().decode(Value.self, from: Data(contentsOf: url))
        XCTAssertEqual(manifest.objectValue?["name"]?.stringValue, "code-runner")
        XCTAssertEqual(manifest.objectValue?["tools"]?.arrayValue?.compactMap(\.stringValue), ["run_python", "run_shell"])
        XCTAssertEqual(manifest.objectValue?["sandbox"]?.objectValue?["network"]?.boolValue, false)
    }
}
