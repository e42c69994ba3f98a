import Foundation
import TestSupport

/// Debian's Chromium run headless on one page: the DOM after the page's scripts ran, what it logged,
/// and optionally a screenshot.
struct HeadlessChromium {
    static let path = "/usr/bin/chromium"

    /// Fails (under `CI=true`) or skips when Chromium is not installed.
    static func require() throws {
        if !FileManager.default.isExecutableFile(atPath: path) {
            try TestModels.requirement("Chromium is required (apt-get install chromium; scripts/install-system-packages.sh)")
        }
    }

    /// Opens `page` (a file or an http URL). With `waitMilliseconds`, the DOM is taken after that much
    /// virtual time, which does not pass while the page's requests are in flight, so a page that streams a
    /// long answer is read when the answer is in. With `screenshot`, a second run saves a PNG there.
    static func open(_ page: URL, waitMilliseconds: Int? = nil, screenshot: URL? = nil) throws -> (dom: String, log: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("loom-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // The DOM and the screenshot come from two runs: --dump-dom prints and exits before a screenshot.
        func run(_ arguments: [String]) throws -> (String, String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)",
                                 "--enable-logging=stderr", "--v=0", "--window-size=1200,1400"]
                + (waitMilliseconds.map { ["--virtual-time-budget=\($0)"] } ?? []) + arguments + [page.absoluteString]
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            let errData = Collected()
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) { errData.data = err.fileHandleForReading.readDataToEndOfFile() }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            group.wait()
            return (String(decoding: outData, as: UTF8.self), String(decoding: errData.data, as: UTF8.self))
        }
        let (dom, log) = try run(["--dump-dom"])
        guard let screenshot else { return (dom, log) }
        let (_, shotLog) = try run(["--screenshot=\(screenshot.path)", "--hide-scrollbars"])
        return (dom, log + shotLog)
    }
}

/// Bytes read on another thread; the dispatch group orders the write before the read.
private final class Collected: @unchecked Sendable {
    var data = Data()
}
