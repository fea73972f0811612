"""`telltale fit --data TABLE.csv` end to end against the notebook it replaces: pandas
reads the same CSV, one-hot encodes the segment, and statsmodels (coefficients, standard
errors, p-values: what `fit` prints) or scikit-learn (coefficients only) fits the same
unpenalised logistic regression. Every time includes reading the file; the answers are
checked to agree."""
import argparse, os, subprocess, sys, tempfile, json
import numpy as np
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from benchlib import timed

def make_table(path, rows, columns, seed=7):
    """account_id (two rows per account), segment (3 levels), as_of (24 months), x0..x{p-1}, churned."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((rows, columns))
    beta = rng.standard_normal(columns) * 0.3
    segment = rng.choice(np.array(["SMB", "Mid-Market", "Enterprise"]), rows, p=[0.6, 0.3, 0.1])
    eta = X @ beta - 1.5 + np.where(segment == "Enterprise", -0.4, 0.0)
    y = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(int)
    months = rng.integers(0, 24, rows)
    with open(path, "w") as f:
        f.write("account_id,segment,as_of," + ",".join(f"x{j}" for j in range(columns)) + ",churned\n")
        for i in range(rows):
            m = months[i]
            f.write(f"A{i // 2},{segment[i]},{2024 + m // 12}-{m % 12 + 1:02d}-15,"
                    + ",".join(f"{v:.4f}" for v in X[i]) + f",{y[i]}\n")

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--rows", type=int, default=500000)
    ap.add_argument("--columns", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    import pandas as pd, statsmodels.api as sm
    from sklearn.linear_model import LogisticRegression
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "table.csv")
        make_table(path, args.rows, args.columns)
        os.sync()
        print(f"{args.rows} rows x {args.columns} numeric columns + an id, a segment (3 levels) and a date; "
              f"{os.path.getsize(path) / 1e6:.0f} MB")
        telltale = os.path.join(args.bin, "telltale")
        def run_telltale():
            out = subprocess.run([telltale, "fit", "--data", path, "--label", "churned", "--exclude", "account_id,as_of", "--json"],
                                 check=True, capture_output=True, text=True).stdout
            return json.loads(out)
        def design():
            df = pd.read_csv(path)
            X = pd.get_dummies(df.drop(columns=["account_id", "as_of", "churned"]), columns=["segment"], drop_first=True, dtype=float)
            return X, df["churned"].to_numpy()
        def run_statsmodels():
            X, y = design()
            fit = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-8, disp=0)
            return dict(zip(["Intercept"] + list(X.columns), fit.params)), dict(zip(["Intercept"] + list(X.columns), fit.bse))
        def run_sklearn():
            X, y = design()
            m = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-8, max_iter=100).fit(X.to_numpy(), y)
            return dict(zip(["Intercept"] + list(X.columns), [m.intercept_[0]] + list(m.coef_[0])))
        t_tt, tt = timed(run_telltale, args.repeats)
        t_sm, (sm_params, sm_se) = timed(run_statsmodels, args.repeats)
        t_sk, sk_params = timed(run_sklearn, args.repeats)
        # Agreement: Telltale's coefficient table against statsmodels', by name.
        ours = {c["name"]: c for c in tt["coefficients"]}
        def name(k):  # pandas' dummies are segment_X; Telltale's segment[T.X]
            return f"segment[T.{k[len('segment_'):]}]" if k.startswith("segment_") else k
        worst_b = max(abs(ours[name(k)]["estimate"] - v) for k, v in sm_params.items())
        worst_se = max(abs(ours[name(k)]["std_error"] - v) / v for k, v in sm_se.items())
        worst_sk = max(abs(ours[name(k)]["estimate"] - v) for k, v in sk_params.items())
        print(f"max |Δβ| vs statsmodels {worst_b:.1e}, max relative Δse {worst_se:.1e}; max |Δβ| vs scikit-learn {worst_sk:.1e}")
        print(f"| reader + fit | seconds (median of {args.repeats}) | vs Telltale |")
        print("|---|---|---|")
        for label, t in [("telltale fit", t_tt), ("pandas.read_csv + statsmodels Logit", t_sm),
                         ("pandas.read_csv + scikit-learn newton-cholesky", t_sk)]:
            print(f"| {label} | {t:.3f} | {t / t_tt:.2f}x |")
        if worst_b > 1e-5 or worst_se > 1e-4:
            sys.exit("the fits disagree")

if __name__ == "__main__":
    main()
