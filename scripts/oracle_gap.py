"""How far below the oracle can a churn model on Telltale's signals get?

Reads a simulated history's training table (`telltale signals --training --model-inputs`)
and its ground truth, holds out the latest quarter of renewals (out of time, as `train`
does), and prints the holdout ROC AUC of: the oracle (the planted probabilities), a
logistic regression and a gradient-boosted model on the same signals, and a logistic
regression on the planted risk factors themselves (what a perfect signal set would allow).
Also how well each planted factor can be read back from the signals.

With a model file from `telltale train` on the same history, also the trainer's own
holdout AUC against the oracle's on exactly its holdout (the issue's check).

usage: python scripts/oracle_gap.py DIR [MODEL.json]   (DIR holds train.csv and
       ground_truth_renewals.csv; scripts/oracle-gap.sh makes them and the model and runs this)"""
import json, sys
import numpy as np, pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler

FACTORS = ["decline", "single_user", "missed_onboarding", "no_login_14d", "support_over_10_in_30d", "csat_under_5"]

def trainer_against_oracle(t, model_path):
    """`telltale train`'s holdout AUC next to the oracle's on the same renewals."""
    v = json.load(open(model_path))["validation"]
    hold = t[t.as_of >= v["holdout_from"]]
    oracle = roc_auc_score(hold.churned, hold.churn_probability)
    trained = v["with_patterns"]["roc_auc"]
    print(f"telltale train: holdout from {v['holdout_from']}, {len(hold)} renewals (model: {v['holdout_rows']}): "
          f"ROC AUC {trained:.3f} ({v['without_patterns']['roc_auc']:.3f} without patterns), oracle {oracle:.3f}, "
          f"gap {oracle - trained:.3f}")

def main(folder, model_path=None):
    table = pd.read_csv(f"{folder}/train.csv")
    truth = pd.read_csv(f"{folder}/ground_truth_renewals.csv")
    truth = truth[["account_id", "renewal_date", "churn_probability"] + FACTORS].rename(columns={f: "planted_" + f for f in FACTORS})
    t = table.merge(truth, on=["account_id", "renewal_date"]).sort_values("as_of", kind="stable").reset_index(drop=True)
    ids = {"account_id", "segment", "as_of", "renewal_date", "churned", "churn_probability"}
    signals = [c for c in table.columns if c not in ids]
    n = len(t); cut = int(n * 0.75)
    train, hold = np.arange(cut), np.arange(cut, n)
    y = t.churned.to_numpy()
    X = t[signals].to_numpy()
    planted = t[["planted_" + f for f in FACTORS]].to_numpy(float)
    planted = np.c_[planted, planted[:, 3] * planted[:, 4] * planted[:, 5]]  # the combined pattern
    auc = lambda p: roc_auc_score(y[hold], p)

    if model_path: trainer_against_oracle(t, model_path)
    print(f"{n} renewals, {len(hold)} held out (as of {t.as_of[cut]} on), churn rate {y.mean():.3f}, {len(signals)} signals")
    print(f"  oracle (planted probabilities)           {auc(t.churn_probability.to_numpy()[hold]):.3f}")
    scale = StandardScaler().fit(X[train])
    for C in (0.1, 1.0):
        m = LogisticRegression(C=C, max_iter=5000).fit(scale.transform(X[train]), y[train])
        print(f"  logistic on the signals, C={C:<4}          {auc(m.predict_proba(scale.transform(X[hold]))[:, 1]):.3f}")
    gbm = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_depth=3, random_state=0).fit(X[train], y[train])
    print(f"  gradient boosting on the signals         {auc(gbm.predict_proba(X[hold])[:, 1]):.3f}")
    m = LogisticRegression(C=10, max_iter=5000).fit(planted[train], y[train])
    print(f"  logistic on the planted factors          {auc(m.predict_proba(planted[hold])[:, 1]):.3f}")
    print("how well the signals give back each planted factor (gradient boosting, holdout ROC AUC):")
    readback = planted[:, :len(FACTORS)].copy()
    for j, f in enumerate(FACTORS):
        label = planted[:, j]
        print(f"  {f:24s} prevalence train {label[train].mean():.3f} holdout {label[hold].mean():.3f}", end="")
        if label[train].sum() < 10 or label[hold].sum() < 5: print(); continue
        g = HistGradientBoostingClassifier(max_iter=100, random_state=0).fit(X[train], label[train])
        readback[:, j] = g.predict_proba(X)[:, 1]
        print(f"  AUC {roc_auc_score(label[hold], readback[hold, j]):.3f}")
    # Which factor's imperfect read-back costs the churn AUC: the logistic on the planted
    # factors with one of them (or all) replaced by its read-back from the signals. (The
    # read-back models learn from the planted labels, which no real user has: an upper bound.)
    def on_factors(z):
        z = np.c_[z, z[:, 3] * z[:, 4] * z[:, 5]]
        return auc(LogisticRegression(C=10, max_iter=5000).fit(z[train], y[train]).predict_proba(z[hold])[:, 1])
    print(f"logistic on the factors read back from the signals: {on_factors(readback):.3f}; with only one read back:")
    for j, f in enumerate(FACTORS):
        z = planted[:, :len(FACTORS)].copy(); z[:, j] = readback[:, j]
        print(f"  {f:24s} {on_factors(z):.3f}")

if __name__ == "__main__":
    main(*sys.argv[1:3])
