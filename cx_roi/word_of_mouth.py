"""Word-of-mouth block: stories -> impressions -> prospects won, deterred and lost for good.

Promoters tell positive stories; detractors and customers who just left tell
negative ones. Each story reaches an offline audience, and a share of stories
also goes online to a much larger one, where an impression weighs less than
one heard in person. Impressions fall evenly on everyone in the market.

Amplification multiplies positive and negative stories alike: the online
audience sets the size of the word-of-mouth term, and the experience mix
(promoters against detractors and leavers) sets its sign.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["reach_per_story", "impressions", "net_persuasion", "acquisition", "Acquisition", "release_deterred"]


def reach_per_story(offline_audience, online_share, online_audience, online_weight):
    """In-person-equivalent people reached by one story:
    offline + online share x online audience x weight of an online impression."""
    return offline_audience + online_share * online_audience * online_weight


def impressions(promoters, detractors, churned, promoter_rate, detractor_rate,
                stories_per_churned, reach):
    """Positive and negative impressions made this month (in-person-equivalent people reached)."""
    positive = promoters * promoter_rate * reach
    negative = (detractors * detractor_rate + churned * stories_per_churned) * reach
    return positive, negative


def net_persuasion(positive_impressions, negative_impressions, market_size, conversion, deterrence):
    """Net pull of the month's stories per person in the market, hazard per month.

    (conversion x positive impressions - deterrence x negative impressions) / market: positive,
    stories win prospects; negative, they put prospects off and push customers out.
    """
    return (conversion * positive_impressions - deterrence * negative_impressions) / market_size


class Acquisition(NamedTuple):
    """The prospect pool's month under competing risks, people."""

    from_ads: np.ndarray
    from_wom: np.ndarray
    deterred: np.ndarray


def acquisition(prospects, ad_hazard, net) -> Acquisition:
    """Prospects won by advertising and by word of mouth, and prospects deterred, this month.

    A prospect weighs the stories heard: the net persuasion per prospect ``net``
    (:func:`net_persuasion`) wins prospects at hazard s when positive (with every customer a promoter this is
    the Bass imitation term q N / m) and deters them at hazard -s when negative. So
    the experience mix sets the sign of word of mouth and the reach of a story its
    size. Advertising's innovation rate p(t) competes with it: a prospect leaves the
    pool with probability 1 - exp(-H), H = p + |s|, split by cause in proportion to
    the hazards, so no prospect is counted twice and no share exceeds 1.
    """
    h_wom = np.maximum(net, 0.0)
    h_det = np.maximum(-net, 0.0)
    total = ad_hazard + h_wom + h_det
    # Divided only where some hazard acts (0 elsewhere): no 0/0 to silence, which for a single
    # scenario's month costs more than the division.
    leaving = prospects * -np.expm1(-total)
    per_hazard = np.divide(leaving, total, out=np.zeros(np.shape(leaving)), where=total > 0)
    return Acquisition(per_hazard * ad_hazard, per_hazard * h_wom, per_hazard * h_det)


def release_deterred(deterred_pool, recovery, lost_share):
    """Deterred people who stop being put off this month: ``(back_to_prospects, lost_for_good)``.

    A share ``recovery`` of the pool leaves it each month; of those, a share
    ``lost_share`` has bought from a competitor meanwhile and never comes back.
    """
    leaving = deterred_pool * recovery
    lost = leaving * lost_share
    return leaving - lost, lost
