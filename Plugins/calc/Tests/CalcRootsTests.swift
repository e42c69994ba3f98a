import Foundation
import MCP
import TestSupport
import XCTest

/// Roots Giac can only write as `rootof(...)` come back as decimals, with a note saying so; roots with a
/// radical form stay exact.
final class CalcRootsTests: CalcTestCase {
    func testRootOfBecomesDecimalsWithANote() async throws {
        try SympyChecker.requireSympy()
        // x^3-3x+1 has three real roots, 2cos(2π/9), 2cos(4π/9), 2cos(8π/9) (casus irreducibilis).
        let cubic = try await expectResult("solve", ["equation": "x^3-3*x+1=0"])
        // 2y^4-8y^2+y+2 = (y+2)(2y^3-4y^2+1).
        let quartic = try await expectResult("solve", ["equation": "2*y^4-8*y^2+y+2=0", "variable": "y"])
        // One real root of a cubic Giac still leaves as rootof.
        let single = try await expectResult("solve", ["equation": "x^3+x+1=0"])
        for text in [cubic, quartic, single] {
            XCTAssertFalse(text.contains("rootof"), text)
            XCTAssertTrue(text.contains("decimals (20 significant digits)"), text)
        }
        let lines = [cubic, quartic, single].map { String($0.split(separator: "\n").first ?? "") }
        let verdicts = try SympyChecker.check([
            .init(id: 0, kind: "set", got: lines[0], expected: "[2*cos(2*pi/9), 2*cos(4*pi/9), 2*cos(8*pi/9)]",
                  decimal: nil, extra: [:]),
            .init(id: 1, kind: "set", got: lines[1], expected: "[-2, CRootOf(2*y**3-4*y**2+1, 0), CRootOf(2*y**3-4*y**2+1, 1), CRootOf(2*y**3-4*y**2+1, 2)]",
                  decimal: nil, extra: [:]),
            .init(id: 2, kind: "set", got: lines[2], expected: "[CRootOf(x**3+x+1, 0)]", decimal: nil, extra: [:]),
        ])
        for id in 0..<3 { XCTAssertEqual(verdicts[id]?.ok, true, "\(lines[id]): \(verdicts[id]?.detail ?? "")") }
        // The exact root -2 stays an integer among the decimals.
        XCTAssertTrue(lines[1].hasPrefix("[-2,"), lines[1])
        // 20 significant digits: 2cos(8π/9) = -1.8793852415718167681...
        XCTAssertTrue(lines[0].contains("-1.879385241571816768"), lines[0])
    }

    func testEigenvaluesGivenAsRootOfBecomeDecimals() async throws {
        // The companion matrix of x^3-3x+1.
        let text = try await expectResult("matrix", ["operation": "eigenvalues", "matrix": "[[0,1,0],[0,0,1],[-1,3,0]]"])
        XCTAssertFalse(text.contains("rootof"), text)
        XCTAssertTrue(text.contains("1.53208888623795607"), text)
        XCTAssertTrue(text.contains("decimals (20 significant digits)"), text)
    }

    func testRadicalRootsStayExact() async throws {
        let text = try await expectResult("solve", ["equation": "x^4-10*x^2+1=0"])
        XCTAssertTrue(text.contains("sqrt(2)") && text.contains("sqrt(3)"), text)
        XCTAssertFalse(text.contains("decimals"), text)
    }

    /// Giac answers an irreducible quartic with decimals of its own; the note says they are decimals.
    func testDecimalRootsFromGiacAreSaidToBeDecimals() async throws {
        let text = try await expectResult("solve", ["equation": "x^4-4*x-1=0"])
        XCTAssertTrue(text.contains("1.66325193877"), text)
        XCTAssertTrue(text.contains("no exact form"), text)
    }
}
