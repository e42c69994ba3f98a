@testable import web_fetch
import XCTest

/// Charsets, content types, JSON and paging, checked in-process.
final class ConversionTests: XCTestCase {
    func testCharsetsDecodeToUTF8() {
        let latin1: [UInt8] = [0x63, 0x61, 0x66, 0xE9]  // "café" in Latin-1
        XCTAssertEqual(Charset.decode(latin1, declared: "ISO-8859-1", isHTML: false),
                       .init(text: "café", charset: "windows-1252"))
        // Undeclared and not valid UTF-8: Windows-1252, where 0x80 is the euro sign.
        XCTAssertEqual(Charset.decode([0x80, 0x20, 0x93, 0x61, 0x94], declared: nil, isHTML: false).text, "€ “a”")
        XCTAssertEqual(Charset.decode(Array("naïve".utf8), declared: nil, isHTML: false),
                       .init(text: "naïve", charset: "utf-8"))
        XCTAssertEqual(Charset.decode([0xEF, 0xBB, 0xBF, 0x68, 0x69], declared: "iso-8859-1", isHTML: false).text, "hi")
        XCTAssertEqual(Charset.decode([0xFF, 0xFE, 0x68, 0x00, 0x69, 0x00], declared: nil, isHTML: false).text, "hi")
        // KOI8-R goes through iconv: "мир".
        XCTAssertEqual(Charset.decode([0xCD, 0xC9, 0xD2], declared: "koi8-r", isHTML: false),
                       .init(text: "мир", charset: "koi8-r"))
        // Bytes invalid in the declared charset become U+FFFD instead of failing.
        XCTAssertEqual(Charset.decode([0x61, 0xFF, 0x62], declared: "utf-8", isHTML: false).text, "a\u{FFFD}b")
        XCTAssertEqual(Charset.decode([0x61, 0x81, 0x62], declared: "shift_jis", isHTML: false).text.first, "a")
        // An unknown label falls back to sniffing.
        XCTAssertEqual(Charset.decode(Array("ok".utf8), declared: "no-such-charset", isHTML: false).text, "ok")
    }

    func testMetaCharsetIsFound() {
        XCTAssertEqual(Charset.metaCharset(Array("<head><meta charset=\"Windows-1252\">".utf8)), "windows-1252")
        XCTAssertEqual(Charset.metaCharset(Array("<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=koi8-r'>".utf8)),
                       "koi8-r")
        XCTAssertEqual(Charset.metaCharset(Array("<meta charset=utf-8/>".utf8)), "utf-8")
        XCTAssertNil(Charset.metaCharset(Array("<meta name=description content=charset>".utf8)))
        XCTAssertNil(Charset.metaCharset(Array("<p>charset=latin1</p>".utf8)))
    }

    func testContentTypesAreClassified() {
        XCTAssertEqual(ContentKind.classify(contentType: "text/html; charset=UTF-8"), .html)
        XCTAssertEqual(ContentKind.classify(contentType: "application/xhtml+xml"), .html)
        XCTAssertEqual(ContentKind.classify(contentType: "application/problem+json"), .json)
        XCTAssertEqual(ContentKind.classify(contentType: "text/csv"), .text)
        XCTAssertEqual(ContentKind.classify(contentType: "application/rss+xml"), .text)
        XCTAssertEqual(ContentKind.classify(contentType: "image/png"), .binary)
        XCTAssertEqual(ContentKind.classify(contentType: "application/pdf"), .binary)
        XCTAssertEqual(ContentKind.classify(contentType: "application/octet-stream"), .binary)
        XCTAssertNil(ContentKind.classify(contentType: ""))
        XCTAssertEqual(MediaType("Text/HTML ; Charset=\"iso-8859-1\"; q=1").charset, "iso-8859-1")
        XCTAssertEqual(MediaType("Text/HTML ; Charset=\"iso-8859-1\"").essence, "text/html")
        XCTAssertNil(MediaType("text/html; charset=").charset)
    }

    func testJSONIsReindentedKeepingOrder() {
        XCTAssertEqual(JSONFormatter.prettyPrint(#"{"b":[1,{}],"a":"x,y:{z}"}"#), """
            {
              "b": [
                1,
                {}
              ],
              "a": "x,y:{z}"
            }
            """)
        XCTAssertEqual(JSONFormatter.prettyPrint("42"), "42")
        XCTAssertEqual(JSONFormatter.prettyPrint(#"["a\"]"]"#), "[\n  \"a\\\"]\"\n]")
        for bad in ["{", "{\"a\":}", "[1 2]", "nope", ""] {
            XCTAssertNil(JSONFormatter.prettyPrint(bad), bad)
        }
    }

    func testWindowsCutAtLineBreaks() throws {
        let text = "first line\nsecond line\nthird"
        let first = try TextWindow(text, start: 0, maxChars: 15)
        XCTAssertEqual(first.text, "first line\n")
        XCTAssertEqual(first.end, 11)
        XCTAssertTrue(first.hasMore)
        let second = try TextWindow(text, start: first.end, maxChars: 100)
        XCTAssertEqual(first.text + second.text, text)
        XCTAssertNil(second.continuation)
        // No break in the second half of the window: cut at the limit exactly.
        XCTAssertEqual(try TextWindow("abcdefghij", start: 2, maxChars: 3).text, "cde")
        XCTAssertEqual(try TextWindow("", start: 0, maxChars: 3).total, 0)
        XCTAssertThrowsError(try TextWindow("abc", start: 3, maxChars: 3))
        // Characters, not bytes: a flag emoji is one character.
        XCTAssertEqual(try TextWindow("🇫🇷🇩🇪x", start: 1, maxChars: 1).text, "🇩🇪")
    }

    func testInlineWhitespaceCollapses() throws {
        let page = PageConverter.html(
            "<p>  a <b> b </b>c<a href='/x'> link</a>.<br> next\n\tline </p><p><span></span></p><h2> </h2>",
            url: "http://example.org/dir/")
        XCTAssertEqual(page.markdown, "a **b** c [link](http://example.org/x).\nnext line")
        let links = PageConverter.html(
            "<base href='https://other.example/base/'><a href='rel'>r</a> <a href='#top'>top</a> "
                + "<a href='javascript:void(0)'>js</a> <a href='mailto:a@b.c'>mail</a> <a href='/x'><img alt=logo></a>",
            url: "http://example.org/")
        XCTAssertEqual(links.markdown, "[r](https://other.example/base/rel) top js mail")
    }
}
