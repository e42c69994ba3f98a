import Foundation

/// `web-fetch --convert FILE [--base URL] [--repeat N]`: renders a local HTML file as markdown.
enum ConvertCommand {
    /// Runs the command and returns the process exit status.
    static func run(arguments: [String]) -> Int32 {
        guard let path = arguments.first else { return usage() }
        var base = "https://example.org/"
        var repeats = 1
        var index = 1
        while index < arguments.count {
            guard index + 1 < arguments.count else { return usage() }
            switch arguments[index] {
            case "--base": base = arguments[index + 1]
            case "--repeat":
                guard let count = Int(arguments[index + 1]), count > 0 else { return usage() }
                repeats = count
            default: return usage()
            }
            index += 2
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            FileHandle.standardError.write(Data("web-fetch: cannot read \(path)\n".utf8))
            return 1
        }
        let body = [UInt8](data)
        var converted: PageConverter.Converted?
        let clock = ContinuousClock()
        var durations: [Duration] = []
        for _ in 0..<repeats {
            let started = clock.now
            converted = try? PageConverter.convert(body: body, contentType: "text/html", url: base)
            durations.append(clock.now - started)
        }
        guard let converted else {
            FileHandle.standardError.write(Data("web-fetch: \(path) is not text\n".utf8))
            return 1
        }
        print(converted.text)
        let seconds = durations.sorted()[durations.count / 2] / .seconds(1)
        let megabytes = Double(body.count) / 1_000_000
        let report = String(format: "web-fetch: %.2f MB in %.1f ms (median of %d) = %.1f MB/s\n",
                            megabytes, seconds * 1000, repeats, megabytes / seconds)
        FileHandle.standardError.write(Data(report.utf8))
        return 0
    }

    private static func usage() -> Int32 {
        FileHandle.standardError.write(Data("usage: web-fetch --convert FILE [--base URL] [--repeat N]\n".utf8))
        return 2
    }
}
