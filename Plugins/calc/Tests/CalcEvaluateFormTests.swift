import MCP
import XCTest

/// `evaluate` simplifies its result, except when the expression is itself a rewrite into a form:
/// `factor(x^4-1)` must stay factored.
final class CalcEvaluateFormTests: CalcTestCase {
    private func first(_ expression: String) async throws -> String {
        let text = try await expectResult("evaluate", ["expression": .string(expression)])
        return String(text.split(separator: "\n").first ?? "")
    }

    func testFactorKeepsItsForm() async throws {
        let factored = try await first("factor(t^4-16)")
        XCTAssertEqual(factored, "(t-2)*(t+2)*(t^2+4)")
        let spaced = try await first(" ( factor (t^4-16) ) ")
        XCTAssertEqual(spaced, "(t-2)*(t+2)*(t^2+4)")
        let integer = try await first("ifactor(360)")
        XCTAssertEqual(integer, "2^3*3^2*5")
    }

    func testOtherFormCommandsKeepTheirForm() async throws {
        let expanded = try await first("expand((a+2)^3)")
        XCTAssertEqual(expanded, "a^3+6*a^2+12*a+8")
        let fractions = try await first("partfrac(2/(u^2-1))")
        XCTAssertTrue(fractions.contains("u-1") && fractions.contains("u+1") && !fractions.contains("u^2"), fractions)
        let linear = try await first("tlin(sin(t)^2)")
        XCTAssertTrue(linear.contains("cos(2*t)"), linear)
        let exponential = try await first("hyp2exp(cosh(t))")
        XCTAssertTrue(exponential.contains("exp(t)") && !exponential.contains("cosh"), exponential)
    }

    /// Anything else is still simplified, including a form command that is not the outermost operation.
    func testOtherExpressionsAreStillSimplified() async throws {
        let quotient = try await first("(t^2-9)/(t-3)")
        XCTAssertEqual(quotient, "t+3")
        let sum = try await first("factor(t^2-1)+1")
        XCTAssertEqual(sum, "t^2")
        let pi = try await first("2π − π")
        XCTAssertEqual(pi, "pi")
    }
}
