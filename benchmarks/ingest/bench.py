"""Reads one simulated usage file (10k accounts x 730 days by default) with Telltale,
pandas.read_csv and pyarrow.csv.read_csv, in one run, and prints seconds, MB/s and
ratios, plus Telltale's peak memory against the size of its typed columns.

Typed columns on every side: Telltale's dates are day numbers and pyarrow types them as
date32 by itself, but pandas' default call leaves the date column as text, so pandas is
timed three ways: its own C parser with `parse_dates=["date"], date_format="ISO8601"`
(the fastest way that parser gives typed dates), `engine="pyarrow", dtype_backend="pyarrow"`
(typed dates by way of pyarrow's reader, on both cores), and the default call (dates left as
text: less work than the others do, shown for reference). The issue's target is judged
against the faster of the two typed ways.

Telltale's time also includes what neither peer does: matching every row to a known
account and ordering rows by (account, date).

Then the same file gzipped (level 6, as `telltale simulate` writes it): Telltale, pandas'
C parser with typed dates and pyarrow, each inflating it themselves, against `gzip -dc` to
/dev/null (inflating alone, one core), with Telltale's peak memory there too."""
import gzip, json, os, shutil, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import arguments, simulate, timed

def main():
    args = arguments(__doc__)
    import pandas as pd, pyarrow, pyarrow.csv as pc
    with tempfile.TemporaryDirectory() as tmp:
        simulate(args.bin, tmp, args.accounts)
        usage = os.path.join(tmp, "usage.csv")
        size = os.path.getsize(usage)
        def telltale_read(path):
            out = subprocess.run([os.path.join(args.bin, "TelltaleBenchIngest"), os.path.join(tmp, "accounts.csv"), path,
                                  str(args.repeats)], check=True, capture_output=True, text=True)
            return json.loads(out.stdout)
        tt = telltale_read(usage)
        packed = usage + ".gz"
        with open(usage, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.sync() # as simulate() does: no reader timed while the kernel writes the file back
        # Telltale's runs come before the peers fill this process: Linux carries a
        # process's peak memory across exec, so a child started later would report ours.
        tz = telltale_read(packed)
        t_typed = timed(lambda: pd.read_csv(usage, parse_dates=["date"], date_format="ISO8601"), args.repeats)[0]
        t_arrow_engine = timed(lambda: pd.read_csv(usage, engine="pyarrow", dtype_backend="pyarrow"), args.repeats)[0]
        t_pandas = timed(lambda: pd.read_csv(usage), args.repeats)[0]
        t_arrow = timed(lambda: pc.read_csv(usage), args.repeats)[0]
        z_typed = timed(lambda: pd.read_csv(packed, parse_dates=["date"], date_format="ISO8601"), args.repeats)[0]
        z_arrow = timed(lambda: pc.read_csv(packed), args.repeats)[0]
        z_inflate = timed(lambda: subprocess.run(f"gzip -dc '{packed}' > /dev/null", shell=True, check=True), args.repeats)[0]
        z_size = os.path.getsize(packed)
    mb = size / 1e6
    print(f"usage file: {tt['rows']:,} rows, {mb:.0f} MB ({args.accounts:,} accounts x 730 days); "
          f"pandas {pd.__version__}, pyarrow {pyarrow.__version__} ({pyarrow.cpu_count()} threads)")
    print(f"{'reader':34s} {'median s':>9s} {'MB/s':>8s} {'vs telltale':>12s}")
    rows = [("telltale", tt["median"]), ("pandas C parser, typed dates", t_typed),
            ("pandas pyarrow engine, typed dates", t_arrow_engine), ("pandas default call, dates as text", t_pandas),
            ("pyarrow (dates typed as date32)", t_arrow)]
    for name, t in rows:
        print(f"{name:34s} {t:9.3f} {mb / t:8.0f} {t / tt['median']:11.2f}x")
    typed = min(t_typed, t_arrow_engine)
    print(f"telltale is {typed / tt['median']:.2f}x the speed of pandas' faster typed read "
          f"({t_pandas / tt['median']:.2f}x its default call, which leaves dates as text) "
          f"and takes {tt['median'] / t_arrow:.2f}x pyarrow's time")
    print(f"telltale peak memory {tt['first_read_peak_rss_bytes'] / 1e6:.0f} MB for {tt['typed_bytes'] / 1e6:.0f} MB of typed "
          f"columns ({tt['first_read_peak_rss_bytes'] / tt['typed_bytes']:.2f}x) after one read, as a command reads; "
          f"{tt['peak_rss_bytes'] / 1e6:.0f} MB ({tt['peak_rss_bytes'] / tt['typed_bytes']:.2f}x) after {args.repeats}, "
          "with what the allocator keeps from the reads before")
    print(f"the same file gzipped ({z_size / 1e6:.0f} MB), each reader inflating it:")
    for name, t in [("telltale", tz["median"]), ("pandas C parser, typed dates", z_typed),
                    ("pyarrow (dates typed as date32)", z_arrow), ("gzip -dc > /dev/null (inflating alone)", z_inflate)]:
        print(f"{name:38s} {t:9.3f} {'':8s} {t / tz['median']:11.2f}x")
    print(f"telltale peak memory on the gzipped file {tz['first_read_peak_rss_bytes'] / 1e6:.0f} MB for {tz['typed_bytes'] / 1e6:.0f} MB "
          f"of typed columns after one read, {tz['peak_rss_bytes'] / 1e6:.0f} MB after {args.repeats}")
    print(json.dumps({"rows": tt["rows"], "mb": mb, "telltale": tt["median"], "telltale_gz": tz["median"],
                      "pandas_typed_c_gz": z_typed, "pyarrow_gz": z_arrow, "gzip_inflate": z_inflate,
                      "pandas_typed_c": t_typed, "pandas_typed_pyarrow_engine": t_arrow_engine, "pandas": t_pandas,
                      "pyarrow": t_arrow, "peak_over_typed": tt["first_read_peak_rss_bytes"] / tt["typed_bytes"],
                      "peak_over_typed_repeated": tt["peak_rss_bytes"] / tt["typed_bytes"]}))

if __name__ == "__main__":
    main()
