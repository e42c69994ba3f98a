import CCurl
import CGiacShim
import CGumbo
import COpenBLAS
import Foundation
import XCTest

/// One smoke test per system library: each really calls the library.
final class SystemLibraryTests: XCTestCase {
    func testOpenBLASSgemmMultipliesSmallMatrices() {
        // A (2x3) @ B (3x2) -> C (2x2), row-major; checked by hand.
        let a: [Float] = [1, 2, 3,
                          4, 5, 6]
        let b: [Float] = [7, 8,
                          9, 10,
                          11, 12]
        var c = [Float](repeating: 0, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 3, 1, a, 3, b, 2, 0, &c, 2)
        XCTAssertEqual(c, [58, 64, 139, 154])
    }

    func testCurlReportsVersionAndHTTPS() throws {
        let info = try XCTUnwrap(curl_version_info(CURLversion(rawValue: UInt32(CURLVERSION_LAST.rawValue - 1))))
        let version = String(cString: info.pointee.version)
        XCTAssertTrue(version.hasPrefix("7.") || version.hasPrefix("8."), "unexpected curl version \(version)")
        var protocols: [String] = []
        var cursor = info.pointee.protocols
        while let p = cursor?.pointee {
            protocols.append(String(cString: p))
            cursor = cursor?.advanced(by: 1)
        }
        XCTAssertTrue(protocols.contains("https"), "libcurl without https: \(protocols)")
    }

    func testGumboParsesTitleAndBody() throws {
        let html = "<html><head><title>Loom</title></head><body><p>Hello <b>world</b></p></body></html>"
        var options = kGumboDefaultOptions
        let output = try XCTUnwrap(html.withCString { gumbo_parse_with_options(&options, $0, strlen($0)) })
        defer { gumbo_destroy_output(&options, output) }
        let root = output.pointee.root.pointee
        XCTAssertEqual(root.type, GUMBO_NODE_ELEMENT)
        XCTAssertEqual(root.v.element.tag, GUMBO_TAG_HTML)
        let children = root.v.element.children
        XCTAssertEqual(children.length, 2)  // head, body
        let head = try XCTUnwrap(children.data[0]?.assumingMemoryBound(to: GumboNode.self).pointee)
        XCTAssertEqual(head.v.element.tag, GUMBO_TAG_HEAD)
        let title = try XCTUnwrap(head.v.element.children.data[0]?.assumingMemoryBound(to: GumboNode.self).pointee)
        XCTAssertEqual(title.v.element.tag, GUMBO_TAG_TITLE)
        let text = try XCTUnwrap(title.v.element.children.data[0]?.assumingMemoryBound(to: GumboNode.self).pointee)
        XCTAssertEqual(String(cString: text.v.text.text), "Loom")
    }

    func testGiacEvaluatesTwoToTheHundredExactly() {
        var result: UnsafeMutablePointer<CChar>?
        let status = loom_giac_eval("2^100", &result)
        defer { free(result) }
        XCTAssertEqual(status, 0)
        XCTAssertEqual(result.map { String(cString: $0) }, "1267650600228229401496703205376")
    }
}
