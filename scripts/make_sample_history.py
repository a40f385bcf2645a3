"""Make the bundled sample history: synthetic, from cx_roi's own model, with known parameters.

Run from the repository root::

    python scripts/make_sample_history.py

It writes, in both ``sample_data/`` (for people to open and copy) and
``cx_roi/sample_data/`` (package data, read by ``cx_roi.sample_history()``):

* ``sample_history.csv``: 48 months of a synthetic subscription company;
* ``sample_history_truth.json``: the parameters that generated it and the noise added;
* ``history_template.csv``: the column header with three example rows;

and ``sample_data/sample_history.xlsx``, the same history as an Excel workbook.

THE DATA ARE SYNTHETIC. The company grows, cuts its service budget for ten
months in its second year (the service level collapses, NPS falls, churn
rises and word of mouth weakens), restores it, and runs advertising campaigns
and one advertising freeze; that variation is what lets a fit tell the
levers apart. Monthly flows get independent multiplicative noise (seed fixed),
and customers are rebuilt from them so the file adds up exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).absolute().parents[1]
sys.path.insert(0, str(ROOT))

import cx_roi  # noqa: E402

# The share of service spend that buys agents (the rest buys quality): the default
# company's split, which cx_roi.calibrate.fit_history also assumes for a history.
_CAPACITY_SHARE = (cx_roi.PARAMETERS["service_capacity_spend_per_month"].default
                   / (cx_roi.PARAMETERS["service_capacity_spend_per_month"].default
                      + cx_roi.PARAMETERS["service_quality_spend_per_month"].default))

SEED = 20240601
MONTHS = 48
FIRST_MONTH = "2021-01"

# Noise: coefficient of variation of the multiplicative (lognormal) noise per series,
# and absolute noise on survey shares.
NOISE = {"new_customers": 0.04, "churned_customers": 0.04, "contacts": 0.03, "survey_share_sd": 0.008,
         "aht_minutes_sd": 0.15, "arpu_sd": 0.4}

# What a fit should recover (scenario fields), and what the file states directly.
TRUE_FITTED = {
    "market_size": 450_000.0,
    "positive_conversion_per_impression": 0.10,
    "ad_max_innovation_per_month": 0.004,
    "churn_promoter": 0.010,
    "churn_detractor": 0.090,
    "product_value": 0.55,
    "contacts_per_customer_per_month": 0.28,
}


def spends() -> tuple[np.ndarray, np.ndarray]:
    """Monthly advertising and service spend, $: campaigns, a freeze, a service cut and its reversal."""
    ad = np.full(MONTHS, 150_000.0)
    ad[9:12] = 260_000.0    # autumn campaign, year 1
    ad[21:24] = 260_000.0   # autumn campaign, year 2
    ad[27:33] = 60_000.0    # budget freeze
    ad[33:36] = 260_000.0
    ad[45:48] = 260_000.0
    service = np.full(MONTHS, 190_000.0)
    service[18:28] = 120_000.0  # the cost-saving year: ten months of a starved service desk
    service[28:] = 210_000.0    # restored, a little above where it was
    return ad, service


def generating_scenario() -> cx_roi.Scenario:
    ad, service = spends()
    defaults = cx_roi.Scenario()
    # Passives' churn sits between promoters' and detractors' in the defaults' proportion,
    # as fit_history assumes.
    w = (defaults.churn_passive - defaults.churn_promoter) / (defaults.churn_detractor - defaults.churn_promoter)
    return cx_roi.Scenario(
        horizon_months=MONTHS,
        initial_customers=50_000.0,
        initial_promoter_share=0.40,
        initial_detractor_share=0.19,
        ad_spend_per_month=tuple(ad),
        prior_ad_spend_per_month=float(ad[0]),
        prior_service_capacity_spend_per_month=float(service[0] * _CAPACITY_SHARE),
        prior_service_quality_spend_per_month=float(service[0] * (1 - _CAPACITY_SHARE)),
        service_capacity_spend_per_month=tuple(service * _CAPACITY_SHARE),
        service_quality_spend_per_month=tuple(service * (1 - _CAPACITY_SHARE)),
        aht_seconds=420.0,
        agent_cost_per_month=6_000.0,
        arpu_per_month=45.0,
        churn_passive=TRUE_FITTED["churn_promoter"]
        + w * (TRUE_FITTED["churn_detractor"] - TRUE_FITTED["churn_promoter"]),
        **TRUE_FITTED,
    )


def make_history(seed: int = SEED) -> tuple[list[dict], cx_roi.Scenario]:
    scenario = generating_scenario()
    m = cx_roi.simulate(scenario).monthly
    rng = np.random.default_rng(seed)

    def noisy(x: np.ndarray, cv: float) -> np.ndarray:
        return x * np.exp(rng.normal(0.0, cv, len(x)) - cv * cv / 2)

    new = np.rint(noisy((m["new_from_ads"] + m["new_from_wom"]).to_numpy(), NOISE["new_customers"]))
    churned = np.rint(noisy(m["churned"].to_numpy(), NOISE["churned_customers"]))
    start = round(scenario.initial_customers)
    customers = start + np.cumsum(new - churned)
    contacts = np.rint(noisy(m["contacts"].to_numpy(), NOISE["contacts"]))
    # The company's survey is the model's post-contact survey (who is asked, who answers).
    promoter = np.round(m["measured_promoter_share"].to_numpy() + rng.normal(0, NOISE["survey_share_sd"], MONTHS), 3)
    detractor = np.round(m["measured_detractor_share"].to_numpy() + rng.normal(0, NOISE["survey_share_sd"], MONTHS), 3)
    aht = np.round(scenario.aht_seconds / 60 + rng.normal(0, NOISE["aht_minutes_sd"], MONTHS), 1)
    arpu = np.round(scenario.arpu_per_month + rng.normal(0, NOISE["arpu_sd"], MONTHS), 2)
    ad, service = spends()
    agents = np.round(service * _CAPACITY_SHARE / scenario.agent_cost_per_month, 1)
    year, month = (int(x) for x in FIRST_MONTH.split("-"))
    rows = []
    for t in range(MONTHS):
        y, mo = year + (month - 1 + t) // 12, (month - 1 + t) % 12 + 1
        rows.append({
            "month": f"{y:04d}-{mo:02d}", "customers": int(customers[t]), "new_customers": int(new[t]),
            "churned_customers": int(churned[t]), "ad_spend": int(ad[t]), "service_spend": int(service[t]),
            "contacts": int(contacts[t]), "aht_minutes": float(aht[t]), "agents": float(agents[t]),
            "nps": round(100 * (promoter[t] - detractor[t]), 1), "promoter_share": float(promoter[t]),
            "detractor_share": float(detractor[t]), "arpu": float(arpu[t]),
        })
    return rows, scenario


def write_csv(rows: list[dict], path: Path) -> None:
    header = list(rows[0])
    lines = [",".join(header)] + [",".join(_cell(r[k]) for k in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _cell(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


TEMPLATE_ROWS = [
    {"month": "2024-01", "customers": 10_000, "new_customers": 600, "churned_customers": 450, "ad_spend": 30_000,
     "service_spend": 40_000, "contacts": 2_600, "aht_minutes": 6.5, "agents": 6, "nps": 22,
     "promoter_share": 0.41, "detractor_share": 0.19, "arpu": 45},
    {"month": "2024-02", "customers": 10_140, "new_customers": 580, "churned_customers": 440, "ad_spend": 30_000,
     "service_spend": 40_000, "contacts": 2_650, "aht_minutes": 6.4, "agents": 6, "nps": 23,
     "promoter_share": 0.42, "detractor_share": 0.19, "arpu": 45},
    {"month": "2024-03", "customers": 10_290, "new_customers": 610, "churned_customers": 460, "ad_spend": 35_000,
     "service_spend": 40_000, "contacts": 2_700, "aht_minutes": 6.6, "agents": 6, "nps": 21,
     "promoter_share": 0.40, "detractor_share": 0.19, "arpu": 46},
]


def write_xlsx(rows: list[dict], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "history"
    header = list(rows[0])
    ws.append(header)
    for c in ws[1]:
        c.font = Font(bold=True)
    for r in rows:
        ws.append([r[k] for k in header])
    ws.freeze_panes = "A2"
    for col in ws.columns:
        ws.column_dimensions[col[0].column_letter].width = max(10, len(str(col[0].value)) + 2)
    wb.properties.title = "cx-roi sample history (synthetic)"
    wb.properties.description = "Synthetic: made by scripts/make_sample_history.py from cx_roi's own model."
    wb.save(path)


def main() -> None:
    rows, scenario = make_history()
    truth = {
        "synthetic": True,
        "made_by": "scripts/make_sample_history.py",
        "seed": SEED,
        "months": MONTHS,
        "first_month": FIRST_MONTH,
        "note": "Synthetic data from cx_roi's own model with the parameters below plus noise; not a real company.",
        "fitted_parameters": TRUE_FITTED,
        "stated_in_file": {"aht_seconds": scenario.aht_seconds, "agent_cost_per_month": scenario.agent_cost_per_month,
                           "arpu_per_month": scenario.arpu_per_month,
                           "initial_customers": scenario.initial_customers},
        "noise": NOISE,
        "scenario": scenario.to_dict(),
    }
    for folder in (ROOT / "sample_data", ROOT / "cx_roi" / "sample_data"):
        folder.mkdir(exist_ok=True)
        write_csv(rows, folder / "sample_history.csv")
        write_csv(TEMPLATE_ROWS, folder / "history_template.csv")
        (folder / "sample_history_truth.json").write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")
    write_xlsx(rows, ROOT / "sample_data" / "sample_history.xlsx")
    print(f"wrote {MONTHS} months to sample_data/ and cx_roi/sample_data/")


if __name__ == "__main__":
    main()
