"""Opens a page in headless Chromium, driven over the DevTools protocol, waits until a JavaScript
expression is true (a page that streams an answer is read when the answer is in) and prints, as JSON, the
DOM then, the script errors and console errors the page raised, and whether the wait timed out.

    browser_page.py URL --until 'document.title == "done"' [--seconds 600] [--chromium /usr/bin/chromium]
"""
import argparse
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket  # websocket-client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--until", required=True)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    profile = tempfile.mkdtemp(prefix="loom-devtools-")
    browser = subprocess.Popen([args.chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                f"--user-data-dir={profile}", "--remote-debugging-port=0",
                                "--remote-allow-origins=*", "about:blank"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if time.monotonic() > deadline or browser.poll() is not None:
                raise SystemExit("chromium did not open its DevTools port")
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=30))
        page = next(target for target in targets if target["type"] == "page")
        socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=args.seconds)
        ids = itertools.count(1)
        errors = []

        def call(method, **params):
            number = next(ids)
            socket.send(json.dumps({"id": number, "method": method, "params": params}))
            while True:
                message = json.loads(socket.recv())
                event, details = message.get("method"), message.get("params", {})
                if event == "Runtime.exceptionThrown":
                    exception = details["exceptionDetails"]
                    errors.append("Uncaught " + (exception.get("exception", {}).get("description") or exception.get("text", "")))
                elif event == "Runtime.consoleAPICalled" and details.get("type") == "error":
                    errors.append("console.error " + " ".join(str(a.get("value", a.get("description", ""))) for a in details["args"]))
                elif message.get("id") == number:
                    if "error" in message:
                        raise SystemExit(f"{method}: {message['error']}")
                    return message["result"]

        call("Runtime.enable")
        call("Page.enable")
        call("Page.navigate", url=args.url)
        deadline, timed_out = time.monotonic() + args.seconds, False
        while not call("Runtime.evaluate", expression=f"Boolean({args.until})", returnByValue=True)["result"].get("value"):
            if time.monotonic() > deadline:
                timed_out = True
                break
            time.sleep(0.5)
        dom = call("Runtime.evaluate", expression="document.documentElement.outerHTML", returnByValue=True)["result"]["value"]
        print(json.dumps({"dom": dom, "errors": errors, "timed_out": timed_out}))
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
