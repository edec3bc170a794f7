"""Benchmark harness: each contender in its own process, rounds alternating, medians.

Two threaded runtimes in one process spin against each other on a 2-core machine, so every
contender runs in a persistent worker process; the parent asks one worker at a time for a
round of timings and pauses between rounds so that OpenMP threads stop spinning.
"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time


def machine_line():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def numpy_env(threads):
    """Environment for a NumPy/OpenBLAS contender: the slowing OpenBLAS variables unset."""
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env.update(OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    return env


class Worker:
    """A contender's process: reads a JSON request per line, answers a JSON line."""

    def __init__(self, name, argv, env=None):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        ready = self.proc.stdout.readline()
        if not ready:
            raise RuntimeError(f"benchmark worker {name} failed to start")
        self.info = json.loads(ready)

    def ask(self, request):
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker {self.name} died")
        return json.loads(line)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except Exception:
            self.proc.kill()


def alternate(workers, cases, rounds, pause=0.3):
    """{(worker name, case key): [seconds per call, one median per round]} over alternating rounds.
    Odd rounds take the workers in reverse order, so that no contender always runs right after
    the same other one (or always first after a pause)."""
    times = {}
    for r in range(rounds):
        for case in cases:
            for w in (workers if r % 2 == 0 else workers[::-1]):
                t = w.ask(case)["seconds"]
                times.setdefault((w.name, case["key"]), []).append(t)
                time.sleep(pause)
    return times


def median(xs):
    return statistics.median(xs)


def serve(setup, run_case):
    """Worker side: announce `setup()`'s info, then time each requested case until stdin closes."""
    info = setup()
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        case = json.loads(line)
        print(json.dumps({"seconds": run_case(case)}), flush=True)


def time_calls(fn, min_time=0.2, min_reps=5):
    """Median seconds per call of fn() over a window of at least min_time and min_reps calls."""
    fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_reps or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)
