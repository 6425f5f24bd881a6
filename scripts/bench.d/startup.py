"""How long Careerlog takes to be ready to serve (used by scripts/bench).

    startup.py STARTS PORT LOG COMMAND...

Starts COMMAND (a `careerlog serve` on an existing data directory) STARTS times, one after the
other. Each time it measures from just before spawning the process to the first 200 answer
from http://127.0.0.1:PORT/readyz, asking again every ~2 ms (a refused connection or another
status is "not yet"), then stops the process with SIGTERM and waits for it to exit. The
process's output is appended to LOG. Prints the milliseconds of each start, in order, on one
line; exits non-zero when a start is not ready within 30 s or the process exits early.
"""
import http.client
import signal
import subprocess
import sys
import time

starts, port, log, *command = sys.argv[1:]
if not command:
    sys.exit(__doc__)


def ready():
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=1)
    try:
        connection.request("GET", "/readyz")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


if ready():
    sys.exit(f"something already answers on port {port}")

times = []
with open(log, "ab") as out:
    for _ in range(int(starts)):
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            while not ready():
                if process.poll() is not None:
                    sys.exit(f"careerlog exited with {process.returncode} before it was ready (see {log})")
                if time.perf_counter() - began > 30:
                    sys.exit(f"careerlog was not ready within 30 s (see {log})")
                time.sleep(0.002)
            times.append((time.perf_counter() - began) * 1000)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        time.sleep(0.2)

print(" ".join(f"{t:.1f}" for t in times))
