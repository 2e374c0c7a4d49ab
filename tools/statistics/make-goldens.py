#!/usr/bin/env python3
"""Writes the golden vectors of libs/statistics (libs/statistics/testdata/*.json) from SciPy and
statsmodels, so the TypeScript tests can check every figure to 1e-6 relative without Python.

    python3 -m venv .venv/statistics
    .venv/statistics/bin/pip install scipy statsmodels
    .venv/statistics/bin/python tools/statistics/make-goldens.py

Where no library function exists (the sample-size formula, mSPRT, PSI, Cohen's d), the value is
computed here from its closed form with SciPy's distribution functions, independently of the
TypeScript code. Samples are drawn with fixed seeds and stored in the JSON, so the files are
reproducible and the tests need no random generator.
"""
import json
import math
import pathlib
import sys

import numpy as np
import scipy
import statsmodels
from scipy import integrate, special, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint, proportions_ztest

OUT = pathlib.Path(__file__).resolve().parents[2] / "libs" / "statistics" / "testdata"
rng = np.random.default_rng(20240605)


def num(x):
    """A JSON-safe float (the tests never see NaN or infinities)."""
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"non-finite golden value {x}")
    return x


def sample(values, digits=6):
    return [round(float(v), digits) for v in values]


def write(name, cases):
    header = {
        "generator": "tools/statistics/make-goldens.py",
        "versions": {"python": sys.version.split()[0], "scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__},
    }
    path = OUT / f"{name}.json"
    path.write_text(json.dumps({**header, "cases": cases}, indent=1) + "\n")
    print(f"{path.relative_to(OUT.parents[2])}: {len(cases)} cases")


def distributions():
    cases = []
    for x in [-40, -8.5, -3, -1.96, -0.5, 0, 0.3, 1.644854, 5, 9]:
        cases.append({"fn": "normalCdf", "args": [x], "expected": num(stats.norm.cdf(x))})
        cases.append({"fn": "normalSf", "args": [x], "expected": num(stats.norm.sf(x))})
    for p in [1e-300, 1e-12, 0.001, 0.025, 0.3, 0.5, 0.8, 0.975, 0.999999]:
        cases.append({"fn": "normalQuantile", "args": [p], "expected": num(stats.norm.ppf(p))})
    for df in [1, 2, 3.5, 10, 57.3, 1000, 250000]:
        for t in [-30, -2.5, -0.1, 0, 1.3, 4, 60]:
            cases.append({"fn": "tCdf", "args": [t, df], "expected": num(stats.t.cdf(t, df))})
            cases.append({"fn": "tSf", "args": [t, df], "expected": num(stats.t.sf(t, df))})
        for p in [1e-9, 0.005, 0.025, 0.4, 0.5, 0.9, 0.975, 0.9999]:
            cases.append({"fn": "tQuantile", "args": [p, df], "expected": num(stats.t.ppf(p, df))})
    for df in [1, 2, 3, 7.5, 30, 400]:
        for x in [0.001, 0.5, 1, 3.84, 12, 60, 500]:
            cases.append({"fn": "chiSquaredCdf", "args": [x, df], "expected": num(stats.chi2.cdf(x, df))})
            cases.append({"fn": "chiSquaredSf", "args": [x, df], "expected": num(stats.chi2.sf(x, df))})
        for p in [1e-8, 0.05, 0.5, 0.95, 0.999]:
            cases.append({"fn": "chiSquaredQuantile", "args": [p, df], "expected": num(stats.chi2.ppf(p, df))})
    for a, b in [(1, 1), (0.5, 0.5), (2, 5), (51, 951), (480.5, 520.5), (3000, 7000)]:
        for x in [1e-6, 0.05, 0.3, 0.48, 0.7, 0.999]:
            cases.append({"fn": "betaCdf", "args": [x, a, b], "expected": num(stats.beta.cdf(x, a, b))})
            cases.append({"fn": "betaSf", "args": [x, a, b], "expected": num(stats.beta.sf(x, a, b))})
        for p in [0.0005, 0.025, 0.5, 0.975]:
            cases.append({"fn": "betaQuantile", "args": [p, a, b], "expected": num(stats.beta.ppf(p, a, b))})
    for x in [0.2, 0.5, 0.83, 1, 1.36, 2.5, 5]:
        cases.append({"fn": "kolmogorovSf", "args": [x], "expected": num(stats.kstwobign.sf(x))})
    write("distributions", cases)


def two_proportion_case(name, control, treatment, alpha=0.05):
    (cs, cn), (ts, tn) = control, treatment
    pooled = (cs + ts) / (cn + tn)
    if pooled in (0, 1):
        # statsmodels returns NaN here (0/0); the library defines z = 0, p = 1 (no evidence).
        z, p = 0.0, 1.0
    else:
        z, p = proportions_ztest([ts, cs], [tn, cn])
    low, high = confint_proportions_2indep(ts, tn, cs, cn, method="newcomb", compare="diff", alpha=alpha)
    h = 2 * math.asin(math.sqrt(ts / tn)) - 2 * math.asin(math.sqrt(cs / cn))
    return {
        "name": name,
        "control": {"successes": cs, "total": cn},
        "treatment": {"successes": ts, "total": tn},
        "alpha": alpha,
        "expected": {
            "statistic": num(z), "pValue": num(p), "difference": num(ts / tn - cs / cn),
            "ci": [num(low), num(high)], "cohensH": num(h),
            "controlWilson": [num(v) for v in proportion_confint(cs, cn, alpha=alpha, method="wilson")],
            "treatmentWilson": [num(v) for v in proportion_confint(ts, tn, alpha=alpha, method="wilson")],
        },
    }


def proportions():
    write("proportions", [
        two_proportion_case("issue example", (480, 1000), (530, 1000)),
        two_proportion_case("issue example at alpha 0.01", (480, 1000), (530, 1000), 0.01),
        two_proportion_case("large groups", (50123, 100000), (50567, 100000)),
        two_proportion_case("unequal groups", (45, 300), (80, 410)),
        two_proportion_case("zero successes in control", (0, 50), (5, 50)),
        two_proportion_case("zero successes in both", (0, 100), (0, 100)),
        two_proportion_case("all successes in treatment", (95, 100), (100, 100)),
        two_proportion_case("all successes in both", (40, 40), (60, 60)),
        two_proportion_case("n = 1 in each group", (0, 1), (1, 1)),
        two_proportion_case("n = 1 against a large group", (500, 1000), (1, 1)),
        two_proportion_case("equal groups", (480, 1000), (480, 1000)),
    ])


def welch_case(name, control, treatment, alpha=0.05):
    (cm, cs, cn), (tm, ts, tn) = control, treatment
    res = stats.ttest_ind_from_stats(tm, ts, tn, cm, cs, cn, equal_var=False)
    vc, vt = cs**2 / cn, ts**2 / tn
    df = (vc + vt) ** 2 / (vc**2 / (cn - 1) + vt**2 / (tn - 1))
    margin = stats.t.ppf(1 - alpha / 2, df) * math.sqrt(vc + vt)
    diff = tm - cm
    pooled = math.sqrt(((cn - 1) * cs**2 + (tn - 1) * ts**2) / (cn + tn - 2))
    return {
        "name": name,
        "control": {"mean": cm, "sd": cs, "n": cn},
        "treatment": {"mean": tm, "sd": ts, "n": tn},
        "alpha": alpha,
        "expected": {
            "statistic": num(res.statistic), "df": num(df), "pValue": num(res.pvalue), "difference": num(diff),
            "ci": [num(diff - margin), num(diff + margin)], "cohensD": num(diff / pooled),
        },
    }


def means():
    write("means", [
        welch_case("latency in ms", (120.0, 35.0, 400), (112.5, 30.0, 380)),
        welch_case("confidence, alpha 0.01", (0.912, 0.08, 2500), (0.918, 0.07, 2600), 0.01),
        welch_case("smallest groups (n = 2)", (1.0, 0.5, 2), (2.0, 0.25, 2)),
        welch_case("very unequal variances and sizes", (10.0, 1.0, 5), (13.0, 9.0, 200)),
        welch_case("one group without spread", (5.0, 0.0, 30), (5.4, 1.2, 25)),
        welch_case("equal groups", (3.0, 1.5, 100), (3.0, 1.5, 100)),
        welch_case("large groups", (0.5003, 0.25, 200000), (0.5010, 0.25, 210000)),
    ])


def chi_squared():
    cases = []
    for name, observed, expected in [
        ("issue SRM example", [5030, 4970], [0.5, 0.5]),
        ("SRM mismatch", [5200, 4800], [0.5, 0.5]),
        ("three variants 50/25/25", [5012, 2460, 2528], [50, 25, 25]),
        ("canary 95/5", [9410, 590], [95, 5]),
        ("tiny counts", [1, 0], [1, 1]),
    ]:
        total = sum(observed)
        weights = np.array(expected, dtype=float)
        res = stats.chisquare(observed, f_exp=total * weights / weights.sum())
        cases.append({"name": name, "kind": "goodnessOfFit", "observed": observed, "expected": expected,
                      "result": {"statistic": num(res.statistic), "pValue": num(res.pvalue), "df": len(observed) - 1}})
    for name, table in [
        ("2x2 labels", [[5200, 4800], [5050, 4950]]),
        ("2x4 categories", [[120, 340, 280, 60], [150, 310, 300, 90]]),
        ("3x3", [[10, 20, 30], [15, 15, 30], [30, 10, 20]]),
        ("a category empty in every sample", [[40, 0, 60], [55, 0, 45]]),
        ("identical distributions", [[10, 20, 30], [20, 40, 60]]),
    ]:
        arr = np.array(table)
        kept = arr[:, arr.sum(axis=0) > 0]
        stat, p, dof, _ = stats.chi2_contingency(kept, correction=False)
        cases.append({"name": name, "kind": "homogeneity", "table": table,
                      "result": {"statistic": num(stat), "pValue": num(p), "df": int(dof)}})
    write("chi-squared", cases)


def mann_whitney():
    cases = []
    normal = lambda n, loc: sample(rng.normal(loc, 1, n), 4)
    for name, x, y, method in [
        ("exact, no ties (5 vs 7)", normal(5, 0), normal(7, 1), "auto"),
        ("exact, n = 1 against 8", [0.5], normal(8, 0), "auto"),
        ("exact, one small group (3 vs 50)", normal(3, 0.8), normal(50, 0), "auto"),
        ("exact, fully separated", [1, 2, 3, 4], [5, 6, 7, 8, 9], "auto"),
        ("asymptotic, both large", normal(30, 0), normal(40, 0.5), "auto"),
        ("asymptotic, ties", [1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5], "auto"),
        ("asymptotic, equal groups", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "auto"),
        ("all values tied", [2, 2, 2], [2, 2], "auto"),
        ("forced asymptotic on a small sample", normal(6, 0), normal(6, 1), "asymptotic"),
    ]:
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method=method)
        cases.append({"name": name, "x": x, "y": y, "method": method,
                      "result": {"statistic": num(res.statistic), "pValue": num(res.pvalue)}})
    write("mann-whitney", cases)


def corrections():
    cases = []
    vectors = [
        ("issue example", [0.01, 0.04, 0.03]),
        ("one p-value", [0.02]),
        ("ties", [0.01, 0.01, 0.2, 0.2]),
        ("zeros and ones", [0.0, 1.0, 0.5, 0.001]),
        ("ten p-values", sample(rng.uniform(0, 0.2, 10), 6)),
        ("already large", [0.6, 0.7, 0.8]),
    ]
    for name, p in vectors:
        for method, sm in [("bonferroni", "bonferroni"), ("holm", "holm"), ("bh", "fdr_bh")]:
            cases.append({"name": f"{name} ({method})", "method": method, "p": p,
                          "adjusted": [num(v) for v in multipletests(p, method=sm)[1]]})
    write("corrections", cases)


def proportion_sample_size(baseline, mde, alpha, power):
    p1, p2 = baseline, baseline + mde
    pbar = (p1 + p2) / 2
    root = stats.norm.ppf(1 - alpha / 2) * math.sqrt(2 * pbar * (1 - pbar)) + stats.norm.ppf(power) * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(root**2 / (p2 - p1) ** 2)


def proportion_power(c, t, nc, nt, alpha):
    pooled = (nc * c + nt * t) / (nc + nt)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / nt))
    se1 = math.sqrt(c * (1 - c) / nc + t * (1 - t) / nt)
    z = stats.norm.ppf(1 - alpha / 2)
    return stats.norm.cdf((abs(t - c) - z * se0) / se1) + stats.norm.cdf((-abs(t - c) - z * se0) / se1)


def power():
    cases = []
    for baseline, mde, alpha, pw in [(0.5, 0.02, 0.05, 0.8), (0.1, 0.01, 0.01, 0.9), (0.9, -0.05, 0.05, 0.8), (0.02, 0.005, 0.05, 0.95), (0.85, 0.1, 0.1, 0.5)]:
        n = proportion_sample_size(baseline, mde, alpha, pw)
        cases.append({"kind": "sampleSizeForProportions", "input": {"baseline": baseline, "mde": mde, "alpha": alpha, "power": pw}, "expected": n})
        # Planning with n per group must give at least the target power.
        cases.append({"kind": "powerForProportions",
                      "input": {"controlRate": baseline, "treatmentRate": baseline + mde, "controlSize": n, "treatmentSize": n, "alpha": alpha},
                      "expected": num(proportion_power(baseline, baseline + mde, n, n, alpha))})
    for sd, mde, alpha, pw in [(35.0, 5.0, 0.05, 0.8), (0.08, 0.005, 0.01, 0.9), (1.0, 0.5, 0.05, 0.8)]:
        d = mde / sd
        n = math.ceil(2 * (stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(pw)) ** 2 / d**2)
        # statsmodels also counts the far tail; its answer must round to ours within one observation.
        sm = NormalIndPower().solve_power(effect_size=d, alpha=alpha, power=pw, ratio=1)
        assert abs(math.ceil(sm) - n) <= 1, (sm, n)
        cases.append({"kind": "sampleSizeForMeans", "input": {"sd": sd, "mde": mde, "alpha": alpha, "power": pw}, "expected": n})
    for difference, sd, nc, nt, alpha in [(5.0, 35.0, 400, 400, 0.05), (0.01, 0.25, 20000, 10000, 0.05), (2.0, 10.0, 50, 80, 0.01), (0.0, 1.0, 100, 100, 0.05)]:
        expected = NormalIndPower().power(effect_size=difference / sd, nobs1=nc, alpha=alpha, ratio=nt / nc)
        cases.append({"kind": "powerForMeans",
                      "input": {"difference": difference, "controlSd": sd, "treatmentSd": sd, "controlSize": nc, "treatmentSize": nt, "alpha": alpha},
                      "expected": num(expected)})
    for c, t, nc, nt, alpha in [(0.48, 0.53, 1000, 1000, 0.05), (0.1, 0.12, 5000, 3000, 0.025)]:
        cases.append({"kind": "powerForProportions",
                      "input": {"controlRate": c, "treatmentRate": t, "controlSize": nc, "treatmentSize": nt, "alpha": alpha},
                      "expected": num(proportion_power(c, t, nc, nt, alpha))})
    write("power", cases)


def msprt_sequence(name, control_rate, treatment_rate, batch, looks, tau2):
    """Always-valid p-values for Bernoulli data arriving in batches, pooled variance per look."""
    xc = rng.random(batch * looks) < control_rate
    xt = rng.random(batch * looks) < treatment_rate
    rows = []
    p = 1.0
    for k in range(1, looks + 1):
        n = batch * k
        sc, st = int(xc[:n].sum()), int(xt[:n].sum())
        pooled = (sc + st) / (2 * n)
        v = pooled * (1 - pooled) * 2 / n
        theta = st / n - sc / n
        inverse = min(1.0, math.sqrt((v + tau2) / v) * math.exp(-tau2 * theta**2 / (2 * v * (v + tau2))))
        p = min(p, inverse)
        rows.append({"estimate": num(theta), "variance": num(v), "inverseLikelihoodRatio": num(inverse), "pValue": num(p)})
    return {"name": name, "mixingVariance": tau2, "looks": rows}


def sequential():
    write("sequential", [
        msprt_sequence("a real lift of 5 points", 0.48, 0.53, 100, 40, 0.02**2),
        msprt_sequence("no effect", 0.5, 0.5, 200, 30, 0.02**2),
        msprt_sequence("wide mixture", 0.3, 0.33, 150, 25, 0.1**2),
    ])


def prob_beat(ct, cn, tt, tn, prior=(1, 1)):
    a_c, b_c = prior[0] + ct, prior[1] + cn - ct
    a_t, b_t = prior[0] + tt, prior[1] + tn - tt
    closed = sum(math.exp(special.betaln(a_c + i, b_c + b_t) - math.log(b_t + i) - special.betaln(1 + i, b_t) - special.betaln(a_c, b_c)) for i in range(a_t))
    lo = min(stats.beta.ppf(1e-12, a_t, b_t), stats.beta.ppf(1e-12, a_c, b_c))
    hi = max(stats.beta.isf(1e-12, a_t, b_t), stats.beta.isf(1e-12, a_c, b_c))
    quad, _ = integrate.quad(lambda x: stats.beta.pdf(x, a_t, b_t) * stats.beta.cdf(x, a_c, b_c), lo, hi, epsabs=1e-13, epsrel=1e-11, limit=500)
    assert abs(closed - quad) < 1e-8, (closed, quad)
    return closed, (a_c, b_c), (a_t, b_t)


def bayesian():
    cases = []
    for name, control, treatment, prior in [
        ("issue example", (480, 1000), (530, 1000), (1, 1)),
        ("equal groups", (48, 100), (48, 100), (1, 1)),
        ("zero successes", (0, 40), (3, 40), (1, 1)),
        ("all successes", (20, 20), (18, 20), (1, 1)),
        ("n = 1", (0, 1), (1, 1), (1, 1)),
        ("informative prior", (30, 200), (41, 210), (3, 17)),
    ]:
        p, (a_c, b_c), (a_t, b_t) = prob_beat(*control, *treatment, prior)
        cases.append({
            "name": name,
            "control": {"successes": control[0], "total": control[1]},
            "treatment": {"successes": treatment[0], "total": treatment[1]},
            "prior": {"alpha": prior[0], "beta": prior[1]},
            "expected": {
                "probabilityToBeatControl": num(p),
                "controlInterval": [num(stats.beta.ppf(0.025, a_c, b_c)), num(stats.beta.ppf(0.975, a_c, b_c))],
                "treatmentInterval": [num(stats.beta.ppf(0.025, a_t, b_t)), num(stats.beta.ppf(0.975, a_t, b_t))],
            },
        })
    write("bayesian", cases)


def psi_reference(reference, live, bins=10, eps=1e-4):
    ref = np.asarray(reference)
    edges = []
    for k in range(1, bins):
        e = float(np.quantile(ref, k / bins))
        if not edges or e > edges[-1]:
            edges.append(e)
    edges = np.asarray(edges)
    rc = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=len(edges) + 1)
    lc = np.bincount(np.searchsorted(edges, np.asarray(live), side="left"), minlength=len(edges) + 1)
    e = np.maximum(rc / rc.sum(), eps)
    a = np.maximum(lc / lc.sum(), eps)
    return float(np.sum((a - e) * np.log(a / e))), edges.tolist(), rc.tolist(), lc.tolist()


def drift():
    cases = []
    base = sample(rng.normal(0, 1, 500), 4)
    for name, reference, live, bins in [
        ("no shift", base, sample(rng.normal(0, 1, 400), 4), 10),
        ("mean shift of 0.5 sd", base, sample(rng.normal(0.5, 1, 400), 4), 10),
        ("live outside the reference range (empty bins)", base, sample(rng.normal(6, 0.1, 300), 4), 10),
        ("repeated reference values merge edges", [1, 1, 1, 1, 1, 1, 2, 2, 3, 4], [1, 2, 2, 2, 3, 3, 4, 4, 4, 5], 5),
    ]:
        psi, edges, rc, lc = psi_reference(reference, live, bins)
        cases.append({"kind": "psi", "name": name, "reference": reference, "live": live, "bins": bins,
                      "result": {"psi": num(psi), "edges": edges, "referenceCounts": rc, "liveCounts": lc}})
    for name, reference, live in [
        ("labels", [520, 480], [610, 390]),
        ("a category only in live", [300, 200, 0], [280, 190, 30]),
    ]:
        e = np.maximum(np.asarray(reference) / sum(reference), 1e-4)
        a = np.maximum(np.asarray(live) / sum(live), 1e-4)
        cases.append({"kind": "psiFromCounts", "name": name, "reference": reference, "live": live,
                      "result": {"psi": num(np.sum((a - e) * np.log(a / e)))}})
    for name, x, y, method in [
        ("exact, small unequal (8 vs 12)", sample(rng.normal(0, 1, 8), 4), sample(rng.normal(0.8, 1, 12), 4), "exact"),
        ("exact, equal sizes (60 vs 60)", sample(rng.normal(0, 1, 60), 4), sample(rng.normal(0.3, 1, 60), 4), "exact"),
        ("exact, 200 vs 300", sample(rng.normal(0, 1, 200), 4), sample(rng.normal(0.1, 1.2, 300), 4), "exact"),
        ("exact, heavy ties", [int(v) for v in rng.integers(0, 5, 100)], [int(v) for v in rng.integers(0, 6, 150)], "exact"),
        ("exact, fully separated (10 vs 10)", list(range(10)), list(range(10, 20)), "exact"),
        ("identical samples", [1.5, 2.5, 3.5], [1.5, 2.5, 3.5], "exact"),
        ("n = 1 each", [0.0], [1.0], "exact"),
    ]:
        res = stats.ks_2samp(x, y, method=method)
        cases.append({"kind": "ks", "name": name, "reference": x, "live": y, "method": method,
                      "result": {"statistic": num(res.statistic), "pValue": num(res.pvalue)}})
    x, y = sample(rng.normal(0, 1, 300), 4), sample(rng.normal(0.2, 1, 400), 4)
    d = stats.ks_2samp(x, y).statistic
    cases.append({"kind": "ks", "name": "asymptotic (Kolmogorov limit), 300 vs 400", "reference": x, "live": y, "method": "asymptotic",
                  "result": {"statistic": num(d), "pValue": num(stats.kstwobign.sf(math.sqrt(300 * 400 / 700) * d))}})
    write("drift", cases)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for make in [distributions, proportions, means, chi_squared, mann_whitney, corrections, power, sequential, bayesian, drift]:
        make()
