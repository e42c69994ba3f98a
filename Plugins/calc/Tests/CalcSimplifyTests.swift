import Foundation
import MCP
import TestSupport
import XCTest

/// `simplify` closes trigonometric and hyperbolic identities, and its answer is checked by SymPy to be
/// equal to the input and no more complex than SymPy's own `simplify` of it.
final class CalcSimplifyTests: CalcTestCase {
    /// Inputs (calc syntax) with the same expression in SymPy syntax.
    static let identities: [(input: String, sympy: String)] = [
        ("cosh(t)^2-sinh(t)^2", "cosh(t)**2-sinh(t)**2"),
        ("sin(2*t)/(2*sin(t)*cos(t))", "sin(2*t)/(2*sin(t)*cos(t))"),
        ("tan(u)*cos(u)", "tan(u)*cos(u)"),
        ("(1-cos(2*t))/2 - sin(t)^2", "(1-cos(2*t))/2 - sin(t)**2"),
        ("(exp(t)+exp(-t))/2 - cosh(t)", "(exp(t)+exp(-t))/2 - cosh(t)"),
        ("2*sin(3*t)*cos(3*t)", "2*sin(3*t)*cos(3*t)"),
        ("cos(u)^2 - sin(u)^2", "cos(u)**2 - sin(u)**2"),
        ("cosh(t) + sinh(t)", "cosh(t) + sinh(t)"),
        ("sin(t)^4 - cos(t)^4", "sin(t)**4 - cos(t)**4"),
        ("cos(t+u) + sin(t)*sin(u)", "cos(t+u) + sin(t)*sin(u)"),
        ("cosh(2*t) - 2*sinh(t)^2", "cosh(2*t) - 2*sinh(t)**2"),
        ("(1+tan(u)^2)*cos(u)^2", "(1+tan(u)**2)*cos(u)**2"),
        ("cos(t)^3*sin(t) + sin(t)^3*cos(t)", "cos(t)**3*sin(t) + sin(t)**3*cos(t)"),
        ("(sin(t)+cos(t))^2 - sin(2*t)", "(sin(t)+cos(t))**2 - sin(2*t)"),
        ("e^t*cosh(t) - e^(2*t)/2", "exp(t)*cosh(t) - exp(2*t)/2"),
        ("cos(3*t)", "cos(3*t)"),
        ("(t^2-1)/(t-1)", "(t**2-1)/(t-1)"),
    ]

    func testIdentitiesCloseAtLeastAsFarAsSympy() async throws {
        try SympyChecker.requireSympy()
        var cases: [SympyChecker.Case] = []
        for (id, identity) in Self.identities.enumerated() {
            let text = try await expectResult("simplify", ["expression": .string(identity.input)])
            let got = String(text.split(separator: "\n").first ?? "")
            cases.append(.init(id: id, kind: "simplest", got: got, expected: identity.sympy, decimal: nil, extra: [:]))
        }
        let verdicts = try SympyChecker.check(cases)
        for (id, identity) in Self.identities.enumerated() {
            XCTAssertEqual(verdicts[id]?.ok, true, "simplify \(identity.input): \(verdicts[id]?.detail ?? "no verdict")")
        }
    }

    /// The closed forms themselves, as Giac writes them.
    func testClosedForms() async throws {
        for (input, expected) in [("cosh(t)^2-sinh(t)^2", "1"), ("(1-cos(2*t))/2 - sin(t)^2", "0"),
                                  ("2*sin(t)*cos(t)", "sin(2*t)"), ("cosh(t) + sinh(t)", "exp(t)"),
                                  ("tan(u)*cos(u)", "sin(u)"), ("sin(t)^4 - cos(t)^4", "-cos(2*t)")] {
            let text = try await expectResult("simplify", ["expression": .string(input)])
            XCTAssertEqual(text.split(separator: "\n").first.map(String.init), expected, "simplify \(input)")
        }
    }

    /// An algebraic expression takes Giac's plain simplify, as before.
    func testAlgebraicExpressionsStayPlain() async throws {
        let text = try await expectResult("simplify", ["expression": "(t^2-9)/(t-3)"])
        XCTAssertEqual(text.split(separator: "\n").first.map(String.init), "t+3", text)
    }
}
