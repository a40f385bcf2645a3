"""Word-of-mouth block: stories -> impressions -> deterred and converted prospects.

Promoters tell positive stories; detractors and customers who just left tell
negative ones. Each story reaches an offline audience, and a share of stories
also goes online to a much larger one. Impressions fall evenly on everyone in
the market, so only the share landing on available prospects matters.
"""

from __future__ import annotations

import numpy as np

__all__ = ["reach_per_story", "impressions", "deterred_prospects", "wom_hazard"]


def reach_per_story(offline_audience, online_share, online_audience):
    """Expected people reached by one story: offline + online share x online audience."""
    return offline_audience + online_share * online_audience


def impressions(promoters, detractors, churned, promoter_rate, detractor_rate,
                stories_per_churned, reach):
    """Positive and negative impressions made this month (people reached)."""
    positive = promoters * promoter_rate * reach
    negative = (detractors * detractor_rate + churned * stories_per_churned) * reach
    return positive, negative


def deterred_prospects(prospects, negative_impressions, market_size, deterrence):
    """Prospects put off this month: each is hit by a Poisson number of negative
    impressions (mean negative / market) and each hit deters with probability
    ``deterrence``; so the share deterred is 1 - exp(-deterrence x impressions / market)."""
    return prospects * -np.expm1(-deterrence * negative_impressions / market_size)


def wom_hazard(positive_impressions, market_size, conversion):
    """Adoption probability per available prospect from word of mouth this month.

    conversion x positive impressions per person. With every customer a
    promoter this is exactly the Bass imitation term q N / m with
    q = conversion x stories per promoter x reach.
    """
    return conversion * positive_impressions / market_size
