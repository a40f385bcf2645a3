"""Preset scenarios that tell the product's stories, each with a description.

Every preset is the default company with a few documented changes, so the
difference between any two presets is visible in ``changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UnknownPresetError
from .scenario import Scenario

__all__ = ["Preset", "presets", "load_preset", "preset_info", "PRESETS"]


@dataclass(frozen=True)
class Preset:
    name: str
    title: str
    description: str
    changes: dict[str, Any]

    def scenario(self) -> Scenario:
        return Scenario(**self.changes)


_EXTRA = 60_000.0
_BASE = Scenario()

PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset(
        "status-quo", "Status quo",
        "The default subscription company: 100,000 customers paying $50 a month, a service centre "
        "close to the 80/20 convention, $150k a month of advertising. Customers leak slowly: "
        "churn runs at about 4.8% a month and word of mouth wins six of every ten new customers. "
        "The baseline for the other presets.",
        {}),
    Preset(
        "service-boost", "+$60k a month into service",
        "The status quo plus $60,000 a month for service: $30k more agents and $30k more training "
        "and tools. Shorter waits and more first-time fixes turn contacts into promoters, cut churn, "
        "and the extra promoters bring customers for free. Compare with the advertising boost: the "
        "same money, the other lever.",
        {"service_capacity_spend_per_month": _BASE.service_capacity_spend_per_month + _EXTRA / 2,
         "service_quality_spend_per_month": _BASE.service_quality_spend_per_month + _EXTRA / 2}),
    Preset(
        "ad-boost", "+$60k a month into advertising",
        "The status quo plus $60,000 a month of advertising. It wins customers quickly, with "
        "diminishing returns, and does nothing for those already on the books. The fair "
        "counterpart of the service boost.",
        {"ad_spend_per_month": _BASE.ad_spend_per_month + _EXTRA}),
    Preset(
        "revolving-door", "Revolving door",
        "A company that pays heavily to bring customers in ($400k a month of advertising) and starves "
        "the service that keeps them (agents cut by 40%, almost no training). Queues grow, callers "
        "hang up, detractors multiply and tell others; churn eats most of what advertising buys.",
        {"ad_spend_per_month": 400_000.0, "prior_ad_spend_per_month": 400_000.0,
         "service_capacity_spend_per_month": 145_000.0, "service_quality_spend_per_month": 5_000.0}),
    Preset(
        "online-megaphone", "Online megaphone",
        "The status quo in a world where one story in ten goes online and an online story reaches "
        "6,000 people ('6 friends offline, 6,000 online'). Every detractor now costs many prospects, "
        "and every promoter wins many: service quality sets the sign of a much larger word-of-mouth "
        "term.",
        {"online_share": 0.10, "online_audience": 6_000.0}),
    Preset(
        "great-service-weak-product", "Great service, weak product",
        "Generous service ($360k of agents, $90k of quality a month) on a weak product (value 0.2). "
        "Service scores look good and the survey looks better still, yet customers who never call "
        "judge the product, and churn stays high: service cannot rescue a product people do not "
        "want.",
        {"product_value": 0.2, "service_capacity_spend_per_month": 360_000.0,
         "service_quality_spend_per_month": 90_000.0, "survey_inflation": 0.2,
         "initial_promoter_share": 0.2, "initial_detractor_share": 0.35}),
    Preset(
        "young-product", "Young product: advertising wins",
        "A good new product (value 0.8) with 5,000 customers in a market of 2 million, staffed for "
        "the growth it expects. Few customers to serve and few promoters to talk, but a large "
        "untouched market: here the next dollar returns most in advertising, and the model says so "
        "(see the next-dollar table).",
        {"initial_customers": 5_000.0, "market_size": 2_000_000.0, "product_value": 0.8,
         "ad_spend_per_month": 150_000.0, "prior_ad_spend_per_month": 0.0,
         "service_capacity_spend_per_month": 300_000.0, "service_quality_spend_per_month": 15_000.0,
         "initial_promoter_share": 0.5, "initial_detractor_share": 0.1}),
]}


def presets() -> list[str]:
    """Names of the preset scenarios, in display order."""
    return list(PRESETS)


def preset_info(name: str) -> Preset:
    """Title, description and changes of a preset; unknown names list the valid ones."""
    try:
        return PRESETS[name]
    except (KeyError, TypeError):  # TypeError: not even a hashable name, e.g. a list
        raise UnknownPresetError(name, presets()) from None


def load_preset(name: str) -> Scenario:
    """The preset's Scenario."""
    return preset_info(name).scenario()
