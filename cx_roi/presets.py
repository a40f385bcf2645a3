"""Preset scenarios that tell the product's stories, each with a description.

Every preset is the default company with a few documented changes, so the
difference between any two presets is visible in ``changes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import UnknownPresetError
from .scenario import Scenario

__all__ = ["Preset", "presets", "load_preset", "preset_info", "default_baseline", "PRESETS"]


@dataclass(frozen=True)
class Preset:
    """A named scenario. ``baseline``: the preset it is measured against by default; ``None`` for
    its own unedited self (a preset that describes another company is not measured against the
    status quo; the spend presets, the same company with more spend, are)."""

    name: str
    title: str
    description: str
    changes: dict[str, Any]
    baseline: str | None = None

    def scenario(self) -> Scenario:
        return Scenario(**self.changes)


_EXTRA = 60_000.0
_BASE = Scenario()

PRESETS: dict[str, Preset] = {p.name: p for p in [
    Preset(
        "status-quo", "Status quo",
        "The default subscription company: 100,000 customers paying $50 a month, a service centre "
        "close to the 80/20 convention, $150k a month of advertising. Customers leak: churn outruns "
        "what advertising and word of mouth win, and the company shrinks by about a third over five "
        "years. The baseline for the spend presets.",
        {}),
    Preset(
        "service-boost", "+$60k a month into service",
        "The status quo plus $60,000 a month for service from month 1: $30k more agents and $30k "
        "more training and tools. Shorter waits and more first-time fixes turn contacts into "
        "promoters, cut churn, and the extra promoters bring customers for free. Compare with the "
        "advertising boost: the same money, the other lever.",
        {"service_capacity_spend_per_month": _BASE.service_capacity_spend_per_month + _EXTRA / 2,
         "service_quality_spend_per_month": _BASE.service_quality_spend_per_month + _EXTRA / 2},
        baseline="status-quo"),
    Preset(
        "ad-boost", "+$60k a month into advertising",
        "The status quo plus $60,000 a month of advertising from month 1. It wins customers quickly, "
        "with diminishing returns, and does nothing for those already on the books. The fair "
        "counterpart of the service boost.",
        {"ad_spend_per_month": _BASE.ad_spend_per_month + _EXTRA}, baseline="status-quo"),
    # A company that has run this way for a while: its spends before the plan are the plan's.
    Preset(
        "revolving-door", "Revolving door",
        "A company that has long paid heavily to bring customers in ($400k a month of advertising) "
        "and starved the service that keeps them (agents cut by 40%, almost no training). Queues "
        "grow, callers hang up, detractors multiply and tell others; churn eats most of what "
        "advertising buys. Here the next dollar belongs in service.",
        {"ad_spend_per_month": 400_000.0, "prior_ad_spend_per_month": 400_000.0,
         "service_capacity_spend_per_month": 145_000.0, "prior_service_capacity_spend_per_month": 145_000.0,
         "service_quality_spend_per_month": 5_000.0, "prior_service_quality_spend_per_month": 5_000.0}),
    # One story in twenty online (2.5 times the default), to 6,000 people: a story's reach goes
    # from 6.6 to 36 people (x5.5), while no month moves customers by more than a few per cent.
    Preset(
        "online-megaphone", "Online megaphone",
        "The status quo in a world where one story in twenty goes online and an online story reaches "
        "6,000 people ('6 friends offline, 6,000 online'). Every story now reaches about five and a "
        "half times as many people. Service sets the sign of word of mouth and the megaphone multiplies it: "
        "the next dollar in service is worth far more here than in the status quo.",
        {"online_share": 0.05, "online_audience": 6_000.0}),
    # Capacity set so the centre is busy but not saturated in the first year (service level
    # about 77% in month 1): the verdict must come from the weak product, not from a centre that
    # has nothing left to improve.
    Preset(
        "great-service-weak-product", "Great service, weak product",
        "Generous service ($210k of agents and $80k of training and tools a month, almost three times "
        "the status quo's quality spend) on a weak product (value 0.2). Callers are served well and "
        "the post-contact survey looks healthy, because the satisfied answer and hung-up callers are "
        "never asked; yet customers judge the product, churn stays high and the company shrinks. "
        "Service cannot rescue a product people do not want: the next dollar returns more in "
        "advertising.",
        {"product_value": 0.2, "service_capacity_spend_per_month": 210_000.0,
         "prior_service_capacity_spend_per_month": 210_000.0, "service_quality_spend_per_month": 80_000.0,
         "prior_service_quality_spend_per_month": 80_000.0}),
    # 40,000 customers in a market of 2 million with no advertising before: growth starts
    # at about 4% a month and builds as the adstock does.
    Preset(
        "young-product", "Young product: advertising wins",
        "A good new product (value 0.8) with 40,000 customers in a market of 2 million, starting to "
        "advertise ($100k a month, none before) and staffed for the growth it expects ($300k of "
        "agents, $60k of training and tools). Few promoters to talk yet, but a large untouched "
        "market: here the next dollar returns most in advertising, and the model says so.",
        {"initial_customers": 40_000.0, "market_size": 2_000_000.0, "product_value": 0.8,
         "ad_spend_per_month": 100_000.0, "prior_ad_spend_per_month": 0.0,
         "service_capacity_spend_per_month": 300_000.0, "prior_service_capacity_spend_per_month": 300_000.0,
         "service_quality_spend_per_month": 60_000.0, "prior_service_quality_spend_per_month": 60_000.0}),
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


def default_baseline(name: str) -> str:
    """The preset a preset is measured against unless another is chosen: itself, or the status quo
    for the spend presets."""
    return preset_info(name).baseline or name


def load_preset(name: str) -> Scenario:
    """The preset's Scenario."""
    return preset_info(name).scenario()
