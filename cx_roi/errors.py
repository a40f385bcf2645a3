"""Exceptions raised by cx_roi, in one place so callers can catch them by name."""

from __future__ import annotations

__all__ = ["CxRoiError", "ScenarioError", "OutOfReach", "UnknownPresetError", "QueueInputError", "Stopped"]


class CxRoiError(Exception):
    """Base class of every error cx_roi raises on purpose."""


class ScenarioError(CxRoiError, ValueError):
    """A scenario, a batch of parameter draws or an argument has invalid values.

    ``problems`` lists one human-readable line per bad field or argument, each naming it; the
    message is the one line, or the lines listed under how many there are, so ``str(err)`` is
    ready to show to a user as it is.
    """

    def __init__(self, problems: list[str] | str):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = list(problems)
        n = len(self.problems)
        listed = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(self.problems[0] if n == 1 else f"{n} problems:\n{listed}")


class OutOfReach(ScenarioError):
    """A target that no budget up to the search's largest reaches (:func:`cx_roi.min_budget_for`).

    ``best``: the most any budget's best split reaches, in the target metric's unit; ``at_budget``:
    the monthly budget that reaches it and ``largest``: the largest budget searched ($ per month), so
    a caller can say it in its own words.
    """

    def __init__(self, problem: str, best: float, at_budget: float, largest: float):
        super().__init__(problem)
        self.best, self.at_budget, self.largest = best, at_budget, largest

    def __reduce__(self):  # pickled whole, as a search in a process pool raises it
        return type(self), (self.problems[0], self.best, self.at_budget, self.largest)


class UnknownPresetError(CxRoiError, KeyError):
    """A preset name that does not exist; the message lists the valid names."""

    def __init__(self, name: str, valid: list[str]):
        self.name = name
        self.valid = list(valid)
        super().__init__(name)

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return f"Unknown preset {self.name!r}. Valid presets: {', '.join(self.valid)}."


class QueueInputError(CxRoiError, ValueError):
    """An argument of a :mod:`cx_roi.queueing` function that is not a usable value: the message
    names the function, the argument, the value and what is allowed."""


class Stopped(CxRoiError):
    """A long computation gave up because its caller's ``stop()`` said so (the person waiting left,
    say). Nothing is returned; calling again starts over."""
