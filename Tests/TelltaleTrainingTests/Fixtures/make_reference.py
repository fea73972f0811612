"""Reference values for TelltaleTrainingTests, computed independently.

Run once (any Python >= 3.10 with these packages), from this folder:
    python -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install statsmodels==0.15.0 scikit-learn==1.9.1 pandas
    /tmp/refvenv/bin/python make_reference.py
It writes the data sets (*.csv) and reference.json. The numbers in reference.json
come from statsmodels.Logit / GLM (unpenalised, Newton to 1e-12) and from
scikit-learn LogisticRegression(C=1/lambda, solver="newton-cholesky", tol=1e-12)
(penalised), never from Telltale.
"""
import json
import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.linear_model import LogisticRegression

out = {}

# 1. Spector & Mazzeo (1980), the classic Logit example shipped with statsmodels.
spector = sm.datasets.spector.load_pandas().data
spector.to_csv("spector.csv", index=False)
X = sm.add_constant(spector[["GPA", "TUCE", "PSI"]])
res = sm.Logit(spector["GRADE"], X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
out["spector"] = {
    "names": ["Intercept", "GPA", "TUCE", "PSI"],
    "coef": res.params.tolist(), "se": res.bse.tolist(), "z": res.tvalues.tolist(),
    "p": res.pvalues.tolist(), "ci_low": res.conf_int()[0].tolist(), "ci_high": res.conf_int()[1].tolist(),
    "llf": res.llf, "llnull": res.llnull, "aic": res.aic, "bic": res.bic, "prsquared": res.prsquared,
}

# 2. A synthetic churn-like table: skewed counts, a ratio, a 3-level segment.
rng = np.random.default_rng(20261122)
n = 3000
segment = rng.choice(["Enterprise", "Mid-Market", "SMB"], size=n, p=[0.2, 0.3, 0.5])
logins = rng.poisson(12, n).astype(float)
tickets = rng.poisson(1.5, n).astype(float)
csat = np.round(rng.uniform(1, 10, n), 1)
seats_ratio = np.round(rng.beta(2, 3, n), 4)
noise = np.round(rng.normal(0, 1, n), 4)
eta = (-0.5 - 0.08 * logins + 0.35 * tickets - 0.15 * (csat - 5) - 1.2 * seats_ratio
       + np.where(segment == "SMB", 0.6, np.where(segment == "Mid-Market", 0.2, 0.0)))
churned = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(int)
weights = rng.integers(1, 4, n).astype(float)
synth = pd.DataFrame({"account_id": [f"A{i:05d}" for i in range(n)], "segment": segment, "logins": logins,
                      "support_cases": tickets, "csat": csat, "seats_ratio": seats_ratio, "noise": noise,
                      "churned": churned})
synth.to_csv("synthetic.csv", index=False)
# Columns as Telltale encodes them: numeric as is, segment one-hot against its first sorted level.
design = pd.DataFrame({
    "segment[T.Mid-Market]": (segment == "Mid-Market").astype(float),
    "segment[T.SMB]": (segment == "SMB").astype(float),
    "logins": logins, "support_cases": tickets, "csat": csat, "seats_ratio": seats_ratio, "noise": noise,
})
names = list(design.columns)
res = sm.Logit(churned, sm.add_constant(design)).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
out["synthetic"] = {
    "names": ["Intercept"] + names,
    "coef": res.params.tolist(), "se": res.bse.tolist(), "llf": res.llf, "llnull": res.llnull, "aic": res.aic,
}
# Frequency weights: GLM with freq_weights is the same likelihood as repeating rows.
glm = sm.GLM(churned, sm.add_constant(design), family=sm.families.Binomial(), freq_weights=weights).fit(tol=1e-14)
np.savetxt("synthetic_weights.txt", weights, fmt="%d")
out["synthetic_weighted"] = {"coef": glm.params.tolist(), "se": glm.bse.tolist(), "llf": glm.llf}

# 3. Penalised fits: scikit-learn's C = 1/lambda, intercept unpenalised.
out["penalised"] = {}
for lam in [0.5, 5.0, 50.0]:
    clf = LogisticRegression(C=1 / lam, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    clf.fit(design.values, churned)
    out["penalised"][str(lam)] = {"intercept": float(clf.intercept_[0]), "coef": clf.coef_[0].tolist()}

with open("reference.json", "w") as f:
    json.dump(out, f, indent=1)
print("wrote reference.json")
