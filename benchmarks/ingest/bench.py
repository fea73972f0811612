"""Reads one simulated usage file (10k accounts x 730 days by default) with Telltale,
pandas.read_csv and pyarrow.csv.read_csv, in one run, and prints seconds, MB/s and
ratios, plus Telltale's peak memory against the size of its typed columns.

Telltale's time includes what pandas and pyarrow do not: matching every row to a known
account, validating dates, and ordering rows by (account, date)."""
import argparse, json, os, resource, subprocess, tempfile, time

def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--accounts", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import pandas as pd, pyarrow, pyarrow.csv as pc
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([os.path.join(args.bin, "telltale"), "simulate", "--out", tmp, "--accounts", str(args.accounts),
                        "--no-gzip"], check=True)
        usage = os.path.join(tmp, "usage.csv")
        size = os.path.getsize(usage)
        out = subprocess.run([os.path.join(args.bin, "TelltaleBenchIngest"), os.path.join(tmp, "accounts.csv"), usage,
                              str(args.repeats)], check=True, capture_output=True, text=True)
        tt = json.loads(out.stdout)
        t_pandas = best_of(lambda: pd.read_csv(usage), args.repeats)
        t_arrow = best_of(lambda: pc.read_csv(usage), args.repeats)
    mb = size / 1e6
    print(f"usage file: {tt['rows']:,} rows, {mb:.0f} MB ({args.accounts:,} accounts x 730 days); "
          f"pandas {pd.__version__}, pyarrow {pyarrow.__version__} ({pyarrow.cpu_count()} threads)")
    print(f"{'reader':12s} {'median s':>9s} {'MB/s':>8s} {'vs telltale':>12s}")
    for name, t in [("telltale", tt["median"]), ("pandas", t_pandas), ("pyarrow", t_arrow)]:
        print(f"{name:12s} {t:9.3f} {mb / t:8.0f} {t / tt['median']:11.2f}x")
    print(f"telltale is {t_pandas / tt['median']:.2f}x pandas' speed and {tt['median'] / t_arrow:.2f}x pyarrow's time")
    print(f"telltale peak memory {tt['peak_rss_bytes'] / 1e6:.0f} MB for {tt['typed_bytes'] / 1e6:.0f} MB of typed columns "
          f"({tt['peak_rss_bytes'] / tt['typed_bytes']:.2f}x)")
    print(json.dumps({"rows": tt["rows"], "mb": mb, "telltale": tt["median"], "pandas": t_pandas, "pyarrow": t_arrow,
                      "peak_over_typed": tt["peak_rss_bytes"] / tt["typed_bytes"]}))

if __name__ == "__main__":
    main()
