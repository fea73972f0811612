"""Scoring benchmark (issue 7), two cases in one run:

1. Flat table: score N accounts (default 1M) from a warehouse-style CSV with
   `telltale score --data`, against pandas.read_csv + scikit-learn
   predict_proba + DataFrame.to_csv doing the same job. The peer applies the
   *same* saved model (its coefficients set on a LogisticRegression, its
   fills, transforms, pattern and segment columns rebuilt in pandas), so the
   two probability columns are cross-checked value by value.
2. Usage history: `telltale score --config` end to end on a simulated 10k
   accounts x 730 days (load, signals at three grace dates, model, alerts,
   the history database).

Prints wall times (best of --repeats), rows per second and the ratio.
"""
import argparse, json, os, subprocess, sys, time
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(__file__))
import make_flat


def run(cmd):
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stderr}")
    return time.perf_counter() - t, r.stderr


def peer_score(model, flat_path, out_path):
    """pandas + scikit-learn: the same model applied the usual way."""
    df = pd.read_csv(flat_path)
    prep = model["preparation"]
    fill = dict(zip(prep["names"], prep["fill"]))
    transform = dict(zip(prep["names"], prep["transforms"]))
    columns = []
    for f in model["features"]:
        kind = f["kind"]
        if "signal" in kind:
            name = kind["signal"]
            x = df[name].astype(float)
            if fill.get(name) is not None:
                x = x.fillna(fill[name])
            t = transform.get(name, "none")
            x = np.log1p(x) if t == "log1p" else np.arcsinh(x) if t == "asinh" else x
            x = x.to_numpy()
        elif "pattern" in kind:
            p = kind["pattern"]
            hit = np.ones(len(df), dtype=bool)
            for flag in p["flags"]:
                hit &= df[flag].to_numpy() == 1
            if p.get("segment") is not None:
                hit &= df["segment"].to_numpy() == p["segment"]
            x = hit.astype(float)
        else:
            x = (df["segment"].to_numpy() == kind["segment"]).astype(float)
        z = (x - f["mean"]) / f["scale"]
        columns.append(np.where(np.isfinite(z), z, 0.0))
    design = np.column_stack(columns)
    clf = LogisticRegression()
    clf.classes_ = np.array([0, 1])
    clf.coef_ = np.array([[c["estimate"] for c in model["coefficients"]]])
    clf.intercept_ = np.array([model["intercept"]])
    p = clf.predict_proba(design)[:, 1]
    health = 100 * (1 - p)
    bands = model["bands"]
    band = np.full(len(df), "green", dtype=object)
    for seg in pd.unique(df["segment"]):
        cuts = bands["segments"].get(seg, bands["population"])["cut_points"]
        rows = (df["segment"] == seg).to_numpy()
        h = health[rows]
        band[rows] = np.select([h < cuts[0], h < cuts[1], h < cuts[2]], ["red", "orange", "yellow"], "green")
    days = (pd.to_datetime(df["renewal_date"]) - pd.to_datetime(df["as_of"])).dt.days
    out = pd.DataFrame({"account_id": df["account_id"], "segment": df["segment"], "owner": df["owner"], "as_of": df["as_of"],
                        "churn_probability": np.round(p, 4), "health_score": np.round(health, 1), "band": band,
                        "contract_value": df["contract_value"], "renewal_date": df["renewal_date"], "days_to_renewal": days})
    out.to_csv(out_path, index=False)
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--accounts", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--work", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), ".data"))
    a = ap.parse_args()
    tt = os.path.join(a.bin, "telltale")
    os.makedirs(a.work, exist_ok=True)
    w = lambda name: os.path.join(a.work, name)

    # 1. Flat table.
    flat, train = w(f"flat_{a.rows}.csv"), w("train_50000.csv")
    if not os.path.exists(flat):
        make_flat.make(a.rows, 1, False).to_csv(flat, index=False)
    if not os.path.exists(train):
        make_flat.make(50_000, 2, True).to_csv(train, index=False)
    os.sync() # the tables just written are not flushed while anything is timed
    run([tt, "train", "--data", train, "--label", "churned", "--out", w("flat_model.json"), "--trained-at", "2026-07-01"])
    model = json.load(open(w("flat_model.json")))
    size_mb = os.path.getsize(flat) / 1e6
    print(f"flat table: {a.rows:,} accounts, {size_mb:.0f} MB, model with {len(model['features'])} features")
    ours = []
    for _ in range(a.repeats):
        t, _ = run([tt, "score", "--model", w("flat_model.json"), "--data", flat, "--no-db", "--out", w("tt_scores.csv")])
        ours.append(t)
    peers = []
    for _ in range(a.repeats):
        t = time.perf_counter()
        p = peer_score(model, flat, w("peer_scores.csv"))
        peers.append(time.perf_counter() - t)
    mine = pd.read_csv(w("tt_scores.csv"), usecols=["account_id", "churn_probability"])
    assert len(mine) == a.rows, f"telltale scored {len(mine)} of {a.rows} rows"
    diff = np.abs(mine["churn_probability"].to_numpy() - np.round(p, 4)).max()
    t_ours, t_peer = min(ours), min(peers)
    print(f"  telltale score --data        {t_ours:7.2f} s  ({a.rows / t_ours / 1e6:.2f}M accounts/s; all runs {', '.join(f'{x:.2f}' for x in ours)})")
    print(f"  pandas + sklearn predict_proba {t_peer:5.2f} s  (all runs {', '.join(f'{x:.2f}' for x in peers)})")
    print(f"  ratio (pandas / telltale): {t_peer / t_ours:.2f}x; max |probability difference| {diff:.1e} (4-decimal output)")

    # 2. Usage history, end to end.
    sim = w(f"sim_{a.accounts}_{a.days}")
    if not os.path.exists(os.path.join(sim, "usage.csv.gz")):
        run([tt, "simulate", "--out", sim, "--accounts", str(a.accounts), "--days", str(a.days), "--seed", "7"])
    usage = os.path.join(sim, "usage.csv")
    if not os.path.exists(usage):
        subprocess.run(f"gzip -dc {sim}/usage.csv.gz > {usage}", shell=True, check=True)
        os.sync()
    inputs = ["--accounts", os.path.join(sim, "accounts.csv"), "--usage", usage, "--renewals", os.path.join(sim, "renewals.csv")]
    run([tt, "train", *inputs, "--out", w("usage_model.json"), "--trained-at", "2026-07-01"])
    times = []
    for _ in range(a.repeats):
        db = w("history.sqlite")
        if os.path.exists(db):
            os.remove(db)
        t, err = run([tt, "score", "--model", w("usage_model.json"), *inputs, "--out", w("usage_scores.csv"), "--db", db])
        times.append(t)
    rows = sum(1 for _ in open(usage)) - 1
    print(f"usage history: {a.accounts:,} accounts x {a.days} days ({rows:,} usage rows, uncompressed)")
    print(f"  telltale score --config end to end (load, signals at 3 grace dates, model, alerts, history database): "
          f"{min(times):.2f} s (all runs {', '.join(f'{x:.2f}' for x in times)})")
    print("  " + err.strip().splitlines()[0])


if __name__ == "__main__":
    main()
