import Foundation
import XCTest

/// The sandbox has its own network namespace: a listener on the host's 127.0.0.1 is unreachable.
final class EscapeNetworkTests: CodeRunnerTestCase {
    func testConnectingToAHostListenerFails() async throws {
        let listener = try LoopbackListener()
        XCTAssertTrue(listener.connectFromHost(), "the listener accepts connections from the host")
        XCTAssertEqual(listener.acceptPending(), 1)

        let python = try await harness.python("""
            import socket
            for host in ('127.0.0.1', 'localhost', '10.0.2.2', '1.1.1.1'):
                try:
                    socket.create_connection((host, \(listener.port)), timeout=2).close()
                    print('CONNECTED', host)
                except OSError as error:
                    print('blocked', host, type(error).__name__, error)
            """)
        XCTAssertEqual(python.exitCode, 0, python.text)
        XCTAssertFalse(python.stdout.contains("CONNECTED"), python.text)
        XCTAssertTrue(python.stdout.contains("blocked 127.0.0.1 ConnectionRefusedError"), python.text)

        let shell = try await harness.shell("""
            exec 3<>/dev/tcp/127.0.0.1/\(listener.port) && echo CONNECTED || echo blocked
            """)
        XCTAssertFalse(shell.stdout.contains("CONNECTED"), shell.text)
        XCTAssertEqual(listener.acceptPending(), 0, "a connection from the sandbox reached the host listener")
        try await harness.assertAnswersNormally()
    }
}
