"""Writes a flat scoring table like a warehouse export: one row per account,
account_id, segment, owner, contract_value, renewal_date, as_of, 20 numeric
signals (counts, ratios, 0/1 flags) and, for the training file, a churned label
drawn from a known logistic model. Deterministic for a seed."""
import sys
import numpy as np
import pandas as pd


def make(rows: int, seed: int, labelled: bool) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    seg = rng.choice(["SMB Annual", "Mid-Market Annual", "Enterprise Annual"], size=rows, p=[0.6, 0.3, 0.1])
    df = pd.DataFrame({
        "account_id": [f"ACC-{i:07d}" for i in range(rows)],
        "segment": seg,
        "owner": rng.choice(["Ana", "Bo", "Cy", "Dee", "Eli", "Fay"], size=rows),
        "contract_value": np.round(rng.lognormal(9.5, 1.0, size=rows)),
        "renewal_date": pd.Timestamp("2026-07-01") + pd.to_timedelta(rng.integers(1, 365, size=rows), unit="D"),
        "as_of": "2026-07-01",
    })
    df["renewal_date"] = df["renewal_date"].dt.strftime("%Y-%m-%d")
    x = {}
    for j in range(8):
        x[f"count_{j}"] = rng.poisson(3 + 4 * j, size=rows).astype(float)
    for j in range(8):
        x[f"ratio_{j}"] = np.round(rng.gamma(2.0, 0.5, size=rows), 3)
    for j in range(4):
        x[f"flag_{j}"] = (rng.random(rows) < 0.1 + 0.05 * j).astype(float)
    for k, v in x.items():
        df[k] = v
    if labelled:
        eta = (-1.5 - 0.05 * (x["count_0"] - 3) + 0.3 * (x["ratio_1"] - 1) + 0.8 * x["flag_0"]
               + 0.6 * x["flag_0"] * x["flag_1"] - 0.02 * (x["count_3"] - 15))
        df["churned"] = (rng.random(rows) < 1 / (1 + np.exp(-eta))).astype(int)
        # Observation dates spread over a year, for out-of-time validation.
        df["as_of"] = (pd.Timestamp("2025-07-01") + pd.to_timedelta(rng.integers(0, 365, size=rows), unit="D")).strftime("%Y-%m-%d")
        df = df.drop(columns=["owner", "contract_value", "renewal_date"])
    return df


if __name__ == "__main__":
    rows, seed, labelled, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "train", sys.argv[4]
    make(rows, seed, labelled).to_csv(out, index=False)
