"""Combined-pattern search: Telltale against mlxtend's fpgrowth + association_rules
restricted to the churn consequent, on the same random flags, in one run.

Both find every conjunction of up to K flags whose rows-with-churn share reaches
min_support (mlxtend's rule: the itemset plus churn must be frequent), so Telltale runs
with min_share = min_support and the comparison covers the rules mlxtend returns; the
script checks that every one of them has the same antecedent count and churn count in
Telltale's output. mlxtend does no significance testing; Telltale's time includes its
Fisher tests against every sub-pattern, BH and duplicate collapse."""
import argparse, json, os, subprocess, sys, tempfile
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchlib import timed

def make_flags(rows, flags, seed):
    rng = np.random.default_rng(seed)
    prevalence = rng.uniform(0.05, 0.35, flags)
    X = rng.random((rows, flags)) < prevalence
    # Some correlated flags, and a planted triple that churns far more than its parts.
    for f in range(4, flags, 5):
        X[:, f] = np.where(X[:, f - 1], rng.random(rows) < 0.6, X[:, f])
    logit = -1.6 + 2.0 * (X[:, 0] & X[:, 1] & X[:, 2]) + 0.5 * X[:, 3]
    y = rng.random(rows) < 1 / (1 + np.exp(-logit))
    return X, y

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--cases", default="1000000x60x3,1000000x30x4")
    ap.add_argument("--min-support", type=float, default=0.005)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--mlxtend-repeats", type=int, default=1)
    args = ap.parse_args()
    import pandas as pd, mlxtend
    from mlxtend.frequent_patterns import fpgrowth, association_rules
    print(f"mlxtend {mlxtend.__version__}, pandas {pd.__version__}; min support {args.min_support} (rows with the pattern and churn)")
    print(f"{'case':24s} {'telltale s':>10s} {'mlxtend s':>10s} {'ratio':>7s} {'rules':>7s} {'tested':>7s} {'agree':>6s}")
    summary = []
    for case in args.cases.split(","):
        rows, flags, order = map(int, case.split("x"))
        X, y = make_flags(rows, flags, seed=rows + flags)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "flags.bin")
            with open(path, "wb") as f:
                f.write(np.array([rows, flags + 1], dtype=np.int64).tobytes())
                f.write(np.column_stack([X, y]).astype(np.uint8).tobytes())
            counts = os.path.join(tmp, "counts.csv")
            out = subprocess.run([os.path.join(args.bin, "TelltaleBenchPatterns"), path, str(order), str(args.min_support),
                                  str(args.repeats), counts], check=True, capture_output=True, text=True)
            tt = json.loads(out.stdout)
            ours = {}
            for line in open(counts).read().splitlines()[1:]:
                items, n, c = line.split(",")
                ours[frozenset(int(i) for i in items.split())] = (int(n), int(c))
        df = pd.DataFrame(X, columns=[f"f{i}" for i in range(flags)])
        df["churn"] = y
        def mlxtend_rules():
            itemsets = fpgrowth(df, min_support=args.min_support, use_colnames=True, max_len=order + 1)
            rules = association_rules(itemsets, metric="confidence", min_threshold=0.0)
            return rules[rules["consequents"] == frozenset({"churn"})]
        t_ml, rules = timed(mlxtend_rules, args.mlxtend_repeats)
        agree = 0
        for _, r in rules.iterrows():
            key = frozenset(int(s[1:]) for s in r["antecedents"])
            n = round(r["antecedent support"] * rows); c = round(r["support"] * rows)
            if key in ours and ours[key] == (n, c):
                agree += 1
        ok = agree == len(rules)
        print(f"{case:24s} {tt['median']:10.3f} {t_ml:10.3f} {t_ml / tt['median']:6.1f}x {len(rules):7d} {tt['tested']:7d} {'yes' if ok else 'NO'}")
        summary.append({"case": case, "telltale": tt["median"], "mlxtend": t_ml, "ratio": t_ml / tt["median"], "rules": len(rules),
                        "tested": tt["tested"], "kept": tt["kept"], "all_rules_agree": ok})
    print(json.dumps(summary))

if __name__ == "__main__":
    main()
