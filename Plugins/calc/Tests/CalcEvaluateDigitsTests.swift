import MCP
import XCTest

/// `digits` rounds only what is not already an exact integer: small models add it by habit, and a big
/// integer must not come back as a rounded decimal.
final class CalcEvaluateDigitsTests: CalcTestCase {
    func testExactIntegersIgnoreDigits() async throws {
        let text = try await expectResult("evaluate", ["expression": "2^64 - 1", "digits": 30])
        XCTAssertEqual(text.split(separator: "\n").first, "18446744073709551615", text)
        let product = try await expectResult("evaluate", ["expression": "123456789 * 987654321", "digits": 5])
        XCTAssertEqual(product.split(separator: "\n").first, "121932631112635269", product)
    }

    func testZeroDigitsMeansExact() async throws {
        let text = try await expectResult("evaluate", ["expression": "48976123*7345+1234567", "digits": 0])
        XCTAssertEqual(text.split(separator: "\n").first, "359730858002", text)
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
}
