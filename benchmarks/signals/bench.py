"""Training signal table for a simulated history (10k accounts x 730 days by default):
Telltale against an equivalent pandas implementation (dense daily frame, groupby +
rolling windows, per-date segment medians) in one run. Prints seconds and ratios, the
scoring-table time, and each signal's largest difference between the two tables, so
the benchmark is also an independent cross-check of the signal semantics.

Both sides start from loaded tables (read times are printed separately) and compute the
same 14 signals (signals.yml beside this file)."""
import json, os, shutil, subprocess, sys, tempfile, time
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import arguments, simulate, timed

def pandas_training_table(acc, usage, ren, lead=60):
    import pandas as pd
    data_start, data_end = usage["date"].min(), usage["date"].max()
    acc = acc.copy()
    acc["start"] = acc["signup_date"].where(acc["signup_date"] > data_start, data_start)
    churn = ren[ren["outcome"].str.lower() == "churned"].groupby("account_id")["renewal_date"].min()
    acc["churn_date"] = acc["account_id"].map(churn)

    # Dense daily frame: every account from its history start to the data's last day.
    n = ((data_end - acc["start"]).dt.days + 1).clip(lower=0).to_numpy()
    ids = np.repeat(acc["account_id"].to_numpy(), n)
    offsets = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
    dates = np.repeat(acc["start"].to_numpy(), n) + offsets.astype("timedelta64[D]")
    dense = pd.DataFrame({"account_id": ids, "date": dates})
    dense = dense.merge(usage, on=["account_id", "date"], how="left")
    for c in ["logins", "active_users", "core_actions", "support_cases"]:
        dense[c] = dense[c].fillna(0)
    g = dense.groupby("account_id", sort=False)
    pos = g.cumcount()
    roll = lambda col, w, f: getattr(g[col].rolling(w, min_periods=w), f)().reset_index(level=0, drop=True)
    dense["logins_30d"] = roll("logins", 30, "sum")
    dense["core_actions_30d"] = roll("core_actions", 30, "sum")
    dense["support_cases_30d"] = roll("support_cases", 30, "sum")
    dense["active_users_max_30d"] = roll("active_users", 30, "max")
    dense["active"] = (dense["logins"] > 0).astype(float)
    dense["active_days_30d"] = roll("active", 30, "sum")
    dense["csat_min_30d"] = g["csat"].rolling(30, min_periods=1).min().reset_index(level=0, drop=True).where(pos >= 29)
    r120 = roll("logins", 120, "sum")
    recent, base = dense["logins_30d"] / 30, (r120 - dense["logins_30d"]) / 90
    ratio = recent / base.where(base != 0)
    ratio = ratio.where(base != 0, np.where(recent == 0, 1.0, np.nan))
    dense["logins_trend"] = ratio.where(pos >= 119)
    dense["last_login"] = dense["date"].where(dense["logins"] > 0)
    dense["last_login"] = dense.groupby("account_id", sort=False)["last_login"].ffill()

    # Observations: renewal - lead; the signals are those of the day before.
    obs = ren[["account_id", "renewal_date", "outcome"]].copy()
    obs["as_of"] = obs["renewal_date"] - pd.Timedelta(days=lead)
    obs = obs.merge(acc[["account_id", "segment", "signup_date", "start", "seats"]], on="account_id")
    obs = obs[obs["as_of"] > obs["signup_date"]]
    obs["date"] = obs["as_of"] - pd.Timedelta(days=1)
    cols = ["logins_30d", "active_days_30d", "logins_trend", "active_users_max_30d", "core_actions_30d",
            "support_cases_30d", "csat_min_30d", "last_login"]
    t = obs.merge(dense[["account_id", "date"] + cols], on=["account_id", "date"], how="left")
    since = (t["as_of"] - t["last_login"]).dt.days
    t["days_since_login"] = since.fillna((t["as_of"] - t["start"]).dt.days).where(t["as_of"] >= t["start"])
    t["users_per_seat"] = t["active_users_max_30d"] / t["seats"].where(t["seats"] > 0)

    # Segment medians of logins_30d over the accounts active at each as-of date.
    days = pd.DataFrame({"as_of": t["as_of"].unique()})
    pop = days.merge(acc[["account_id", "segment", "signup_date", "churn_date"]], how="cross")
    pop = pop[(pop["signup_date"] < pop["as_of"]) & ~(pop["churn_date"] < pop["as_of"])]
    pop["date"] = pop["as_of"] - pd.Timedelta(days=1)
    pop = pop.merge(dense[["account_id", "date", "logins_30d"]], on=["account_id", "date"], how="left").dropna(subset=["logins_30d"])
    seg = pop.groupby(["as_of", "segment"])["logins_30d"].agg(["median", "count"]).reset_index()
    allm = pop.groupby("as_of")["logins_30d"].median().rename("all_median").reset_index()
    seg = seg.merge(allm, on="as_of")
    seg["med"] = np.where(seg["count"] >= 10, seg["median"], seg["all_median"])
    t = t.merge(seg[["as_of", "segment", "med"]], on=["as_of", "segment"], how="left")
    t["med"] = t["med"].fillna(t["as_of"].map(allm.set_index("as_of")["all_median"]))
    vs = t["logins_30d"] / t["med"].where(t["med"] != 0)
    t["logins_vs_segment"] = vs.where(t["med"] != 0, np.where(t["logins_30d"] == 0, 1.0, np.nan))

    t["no_login_14d"] = (t["days_since_login"] >= 14).astype(int)
    t["support_over_10_30d"] = (t["support_cases_30d"] > 10).astype(int)
    t["csat_under_5"] = (t["csat_min_30d"] < 5).astype(int)
    t["low_and_declining"] = ((t["logins_vs_segment"] < 0.6) & (t["logins_trend"] <= 0.67)).astype(int)
    return t

SIGNALS = ["logins_30d", "days_since_login", "active_days_30d", "logins_trend", "logins_vs_segment",
           "active_users_max_30d", "users_per_seat", "core_actions_30d", "support_cases_30d", "csat_min_30d",
           "no_login_14d", "support_over_10_30d", "csat_under_5", "low_and_declining"]

def main():
    args = arguments(__doc__)
    import pandas as pd
    with tempfile.TemporaryDirectory() as tmp:
        simulate(args.bin, tmp, args.accounts)
        shutil.copy(os.path.join(HERE, "signals.yml"), os.path.join(tmp, "signals.yml"))
        out_csv = os.path.join(tmp, "training.csv")
        res = subprocess.run([os.path.join(args.bin, "TelltaleBenchSignals"), os.path.join(tmp, "signals.yml"),
                              str(args.repeats), out_csv], check=True, capture_output=True, text=True)
        tt = json.loads(res.stdout)
        t0 = time.perf_counter()
        acc = pd.read_csv(os.path.join(tmp, "accounts.csv"), parse_dates=["signup_date"])
        usage = pd.read_csv(os.path.join(tmp, "usage.csv"), parse_dates=["date"])
        ren = pd.read_csv(os.path.join(tmp, "renewals.csv"), parse_dates=["renewal_date"])
        pandas_load = time.perf_counter() - t0
        t_pandas, table = timed(lambda: pandas_training_table(acc, usage, ren), args.repeats)
        swift = pd.read_csv(out_csv, parse_dates=["as_of", "renewal_date"])
    key = ["account_id", "renewal_date"]
    both = swift.merge(table, on=key, suffixes=("_tt", "_pd"))
    print(f"history: {args.accounts:,} accounts, {tt['usage_rows']:,} usage rows; training table {tt['training_rows']:,} rows "
          f"x {tt['signals']} signals (pandas {len(table):,} rows); pandas {pd.__version__}")
    print(f"{'step':34s} {'telltale s':>10s} {'pandas s':>9s} {'ratio':>7s}")
    print(f"{'load the three tables':34s} {tt['load']:10.3f} {pandas_load:9.3f} {pandas_load / tt['load']:6.1f}x")
    print(f"{'training table (median of ' + str(args.repeats) + ')':34s} {tt['training']:10.3f} {t_pandas:9.3f} {t_pandas / tt['training']:6.1f}x")
    print(f"scoring table: {tt['scoring_rows']:,} active accounts as of {tt['as_of']} in {tt['scoring']:.3f} s (target < 1 s)")
    print("cross-check, largest |telltale - pandas| per signal (NaN agreement counted apart):")
    worst = 0.0
    for s in SIGNALS:
        a, b = both[s + "_tt"].to_numpy(float), both[s + "_pd"].to_numpy(float)
        nan_mismatch = int((np.isnan(a) != np.isnan(b)).sum())
        ok = ~np.isnan(a) & ~np.isnan(b)
        diff = float(np.max(np.abs(a[ok] - b[ok]) / np.maximum(1, np.abs(b[ok])))) if ok.any() else 0.0
        worst = max(worst, diff if nan_mismatch == 0 else float("inf"))
        print(f"  {s:24s} max rel diff {diff:.1e}   NaN mismatches {nan_mismatch}   known {int(ok.sum()):,}")
    print(json.dumps({"telltale_training": tt["training"], "pandas_training": t_pandas, "ratio": t_pandas / tt["training"],
                      "scoring": tt["scoring"], "rows": tt["training_rows"], "worst_rel_diff": worst}))

if __name__ == "__main__":
    main()
