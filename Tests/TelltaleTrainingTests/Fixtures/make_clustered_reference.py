"""Reference values for the cluster-robust standard errors, computed independently.

Run once from this folder (the packages of make_reference.py):
    /tmp/refvenv/bin/python make_clustered_reference.py
It writes clustered.csv (renewals of accounts: 1-3 rows each, account-level columns
repeated on every row and an account effect in the outcome, so rows of one account are
related) and clustered.json:
- "unpenalised": statsmodels.Logit(...).fit(cov_type="cluster", groups=account), with
  its default small-sample factor G/(G-1) * (N-1)/(N-K);
- "penalised": for lambda = 5 and 300, scikit-learn's LogisticRegression(C=1/lambda)
  estimate and the covariance written out here in NumPy: (H B^-1 H + P)^-1, with H = X'WX
  the likelihood's Hessian at that estimate, P = diag(0, lambda, ...) and B the meat: the
  sum over accounts of the estimating equations' outer products (each account's score
  minus its share, rows / N, of the penalty's gradient) times the same factor;
- "model_based": statsmodels' ordinary (nonrobust) errors on the same data, to show
  how much the clustering changes.
None of these numbers come from Telltale.
"""
import json
import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(20261124)
accounts = 900
rows_per = rng.choice([1, 2, 3], size=accounts, p=[0.3, 0.4, 0.3])
segment_of = rng.choice(["Enterprise", "Mid-Market", "SMB"], size=accounts, p=[0.2, 0.3, 0.5])
seats_ratio_of = np.round(rng.beta(2, 3, accounts), 4)
effect_of = rng.normal(0, 1.0, accounts)
account = np.repeat(np.arange(accounts), rows_per)
n = len(account)
logins = rng.poisson(12, n).astype(float)
tickets = rng.poisson(1.5, n).astype(float)
segment, seats_ratio = segment_of[account], seats_ratio_of[account]
eta = (-1.0 - 0.06 * logins + 0.3 * tickets - 1.5 * seats_ratio
       + np.where(segment == "SMB", 0.6, np.where(segment == "Mid-Market", 0.2, 0.0)) + effect_of[account])
churned = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
table = pd.DataFrame({"account_id": [f"A{a:04d}" for a in account], "segment": segment, "logins": logins,
                      "support_cases": tickets, "seats_ratio": seats_ratio, "churned": churned})
table.to_csv("clustered.csv", index=False)
design = pd.DataFrame({
    "segment[T.Mid-Market]": (segment == "Mid-Market").astype(float),
    "segment[T.SMB]": (segment == "SMB").astype(float),
    "logins": logins, "support_cases": tickets, "seats_ratio": seats_ratio,
})
X = sm.add_constant(design)
out = {"names": ["Intercept"] + list(design.columns), "rows": n, "accounts": accounts}
robust = sm.Logit(churned, X).fit(method="newton", tol=1e-12, maxiter=100, disp=0,
                                  cov_type="cluster", cov_kwds={"groups": account})
plain = sm.Logit(churned, X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
out["unpenalised"] = {"coef": robust.params.tolist(), "se": robust.bse.tolist(), "z": robust.tvalues.tolist(),
                      "p": robust.pvalues.tolist(), "ci_low": robust.conf_int()[0].tolist(),
                      "ci_high": robust.conf_int()[1].tolist()}
out["model_based"] = {"se": plain.bse.tolist()}

Z = X.values
k = Z.shape[1]
factor = accounts / (accounts - 1) * (n - 1) / (n - k)
out["penalised"] = {}
for lam in [5.0, 300.0]:
    clf = LogisticRegression(C=1 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(design.values, churned)
    theta = np.r_[clf.intercept_[0], clf.coef_[0]]
    p = 1 / (1 + np.exp(-Z @ theta))
    penalty = np.r_[0.0, np.full(k - 1, lam)]
    H = Z.T @ (Z * (p * (1 - p))[:, None])
    scores = np.zeros((accounts, k))
    np.add.at(scores, account, Z * (churned - p)[:, None])
    scores -= np.bincount(account, minlength=accounts)[:, None] / n * (penalty * theta)[None, :]
    B = factor * scores.T @ scores
    cov = np.linalg.inv(H @ np.linalg.solve(B, H) + np.diag(penalty))
    model_based = np.linalg.inv(H + np.diag(penalty))
    out["penalised"][str(lam)] = {"coef": theta.tolist(), "se": np.sqrt(np.diag(cov)).tolist(),
                                  "model_based_se": np.sqrt(np.diag(model_based)).tolist()}
with open("clustered.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote clustered.csv and clustered.json:", n, "rows of", accounts, "accounts")
print("clustered / model-based standard errors:", np.round(np.array(robust.bse) / np.array(plain.bse), 3))
