"""What the benchmark scripts share: the timing rule (the median of the repeats, so one
slow run does not decide) and, for those on one simulated history, their command line and
the history itself."""
import argparse, os, subprocess, time

def timed(fn, repeats):
    """The median seconds of `repeats` calls of fn, and what the last call returned."""
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter(); out = fn(); times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2], out

def arguments(description):
    """--bin (the release build's folder, given by run.sh), --accounts and --repeats."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    return ap.parse_args()

def simulate(bin_dir, folder, accounts):
    """`telltale simulate` into folder, the usage file left uncompressed (usage.csv), as the
    peers read it."""
    subprocess.run([os.path.join(bin_dir, "telltale"), "simulate", "--out", folder, "--accounts", str(accounts),
                    "--no-gzip"], check=True)
    # Flushed before anything is timed: a reader timed while the kernel writes the fresh
    # files' dirty pages back ran 0.31 s where it takes 0.18 s (the ingest benchmark).
    os.sync()
