import MCP
import XCTest

/// `digits` rounds only what is not already an exact integer: small models add it by habit, and a big
/// integer must not come back as a rounded decimal.
final class CalcEvaluateDigitsTests: CalcTestCase {
    func testExactIntegersIgnoreDigits() async throws {
        let text = try await expectResult("evaluate", ["expression": "2^64 - 1", "digits": 30])
        XCTAssertEqual(text.split(separator: "\n").first, "18446744073709551615", text)
        let product = try await expectResult("evaluate", ["expression": "314159265 * 271828182", "digits": 5])
        XCTAssertEqual(product.split(separator: "\n").first, "85397341863406230", product)
    }

    func testZeroDigitsMeansExact() async throws {
        let text = try await expectResult("evaluate", ["expression": "31415926*2718+2818281", "digits": 0])
        XCTAssertEqual(text.split(separator: "\n").first, "85391305149", text)
        let fraction = try await expectResult("evaluate", ["expression": "1/2 + 1/3", "digits": 0])
        XCTAssertEqual(fraction.split(separator: "\n").first, "5/6", fraction)
    }

    func testNegativeDigitsAreRefused() async throws {
        try await expectError("evaluate", ["expression": "1/3", "digits": -1], mentioning: ["'digits'"])
    }

    func testNonIntegersAreStillRoundedToDigits() async throws {
        let text = try await expectResult("evaluate", ["expression": "1/3", "digits": 5])
        XCTAssertTrue(text.hasPrefix("0.33333"), text)
        XCTAssertFalse(text.hasPrefix("0.333333"), text)
    }

    /// "Round to the nearest cent" is `digits: 2`: places after the point, not significant digits.
    func testDigitsArePlacesAfterThePoint() async throws {
        let money = try await expectResult("evaluate", ["expression": "180000*(1+0.035)^9", "digits": 2])
        XCTAssertEqual(money.split(separator: "\n").first.map(String.init), "245321.52", money)
        let six = try await expectResult("evaluate", ["expression": "2*(pi/3)^2", "digits": 6])
        XCTAssertEqual(six.split(separator: "\n").first.map(String.init), "2.193245", six)
    }

    /// Below 1, `digits` also keeps that many significant digits, so a small value is not rounded to 0.
    func testSmallValuesKeepSignificantDigits() async throws {
        let text = try await expectResult("evaluate", ["expression": "1/7000", "digits": 3])
        XCTAssertTrue(text.hasPrefix("0.000143"), text)
        XCTAssertFalse(text.hasPrefix("0.0001428"), text)
        let zero = try await expectResult("evaluate", ["expression": "sin(0.0)", "digits": 3])
        XCTAssertTrue(zero.hasPrefix("0"), zero)
    }

    /// An expression with a free variable has no magnitude: `digits` is then significant digits.
    func testSymbolicExpressionsWithDigitsStayReadable() async throws {
        let text = try await expectResult("evaluate", ["expression": "x^2 + pi", "digits": 4])
        XCTAssertTrue(text.contains("x"), text)
        XCTAssertTrue(text.contains("3.142"), text)
        XCTAssertFalse(text.contains("max") || text.contains("log") || text.contains("1e-300"), text)
    }
}
