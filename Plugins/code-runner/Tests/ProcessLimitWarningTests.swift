@testable import code_runner
import XCTest

/// When a result warns that a fork bomb is stopped only by the time limit: only when neither RLIMIT_NPROC
/// nor a pids cgroup of the host limits the number of processes.
final class ProcessLimitWarningTests: XCTestCase {
    func testWarnsOnlyWhenNothingLimitsProcesses() {
        XCTAssertNil(SandboxHost.processLimitWarning(rlimitHolds: true, pidsCgroupMax: nil))
        XCTAssertNil(SandboxHost.processLimitWarning(rlimitHolds: true, pidsCgroupMax: 128))
        XCTAssertNil(SandboxHost.processLimitWarning(rlimitHolds: false, pidsCgroupMax: 128))
        let warning = SandboxHost.processLimitWarning(rlimitHolds: false, pidsCgroupMax: nil)
        XCTAssertTrue(warning?.contains("a fork bomb is stopped only by the time limit") == true, warning ?? "no warning")
    }
}
