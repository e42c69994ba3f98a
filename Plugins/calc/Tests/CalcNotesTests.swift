import MCP
import XCTest

/// What results look like: tidy, with notes that tell the model what a result means when it is not
/// a plain value.
final class CalcNotesTests: CalcTestCase {
    func testNoRealSolutionSuggestsComplex() async throws {
        let text = try await expectResult("solve", ["equation": "x^2+1=0"])
        XCTAssertEqual(text, "[]\nNo real solution. Try \"domain\": \"complex\".")
    }

    func testSystemSolutionsNameTheirOrder() async throws {
        let text = try await expectResult("solve", ["equation": "y=2x+1, y=-x+7"])
        XCTAssertEqual(text, "[[2,5]]\nEach solution is [x,y].")
    }

    func testIndefiniteIntegralMentionsTheConstant() async throws {
        let text = try await expectResult("integrate", ["expression": "2*x"])
        XCTAssertEqual(text, "x^2\n(add a constant C for the general antiderivative)")
    }

    func testIntegralWithoutClosedFormSaysSo() async throws {
        let text = try await expectResult("integrate", ["expression": "sin(x)*exp(x^2)"])
        XCTAssertTrue(text.contains("No closed form found"), text)
    }

    func testDivergentSumAndIntegralSaySo() async throws {
        let sum = try await expectResult("sum", ["expression": "1/k", "lower": "1", "upper": "inf"])
        XCTAssertEqual(sum, "+infinity\nThe sum diverges.")
        let integral = try await expectResult("integrate", ["expression": "1/x", "lower": "0", "upper": "1"])
        XCTAssertEqual(integral, "+infinity\nThe integral diverges.")
    }

    func testOscillatingLimitDoesNotExist() async throws {
        let text = try await expectResult("limit", ["expression": "sin(1/x)", "point": "0"])
        XCTAssertTrue(text.contains("The limit does not exist"), text)
    }

    func testTwoSidedInfiniteLimitSuggestsADirection() async throws {
        let text = try await expectResult("limit", ["expression": "1/x", "point": "0"])
        XCTAssertEqual(text, "infinity\nThe expression grows without bound; the sign differs by side (try \"direction\").")
    }

    func testSeriesNamesTheRemainder() async throws {
        let text = try await expectResult("series", ["expression": "sin(x)", "order": 3])
        XCTAssertEqual(text, "x-1/6*x^3\n(terms up to order 3; the remainder is O(x^4))")
    }

    func testDecimalLineFollowsInexactResults() async throws {
        let text = try await expectResult("evaluate", ["expression": "1/3"])
        XCTAssertEqual(text, "1/3\n≈ 0.333333333333333")
        let plain = try await expectResult("evaluate", ["expression": "2^10"])
        XCTAssertEqual(plain, "1024", "no decimal line for a plain integer")
    }

    func testDecimalInputGivesAPlainDecimal() async throws {
        // Giac writes these 0.116875000000000e6 and 0.245321523586282e6.
        let whole = try await expectResult("evaluate", ["expression": "1870000*0.25/4"])
        XCTAssertEqual(whole, "116875")
        let money = try await expectResult("evaluate", ["expression": "180000*1.035^9"])
        XCTAssertEqual(money, "245321.523586282")
    }

    func testThousandsSeparatorsAreDroppedOutsideBrackets() async throws {
        let product = try await expectResult("evaluate", ["expression": "1,870,000*0.25/4 + 1,234.5 - 1234.5"])
        XCTAssertEqual(product, "116875")
        let factors = try await expectResult("factor", ["expression": "2,147,483,646"])
        XCTAssertEqual(factors, "2147483646 = 2*3^2*7*11*31*151*331")
        // Commas inside brackets separate arguments; between equations they separate the system.
        let divisor = try await expectResult("evaluate", ["expression": "gcd(1,234)"])
        XCTAssertEqual(divisor, "1")
        let system = try await expectResult("solve", ["equation": "x+y=10, x-y=2"])
        XCTAssertTrue(system.hasPrefix("[[6,4]]"), system)
    }

    func testPythonGeneratorSumsAreRead() async throws {
        let squares = try await expectResult("evaluate", ["expression": "sum(k^2 for k in range(1, 31)) / 5"])
        XCTAssertEqual(squares, "1891")
        let fromZero = try await expectResult("evaluate", ["expression": "sum(i**3 for i in range(10))"])
        XCTAssertEqual(fromZero, "2025")
    }

    func testResultsAreTidy() async throws {
        let derivative = try await expectResult("differentiate", ["expression": "3*x^2"])
        XCTAssertEqual(derivative, "6*x")
        let integral = try await expectResult("integrate", ["expression": "2*x"])
        XCTAssertTrue(integral.hasPrefix("x^2\n"), integral)
    }
}
