"""The batch scored last: its evidence is reused while the caller holds the same object.

``score``, ``score_entities`` and ``explain`` of one batch share one
:class:`~integrity_signals.scoring.Evidence`, and ``score`` of the very
object ``fit`` was given reuses fit's features and signals. The batch is
recognised by identity (the same DataFrame or CaseData object, not an equal
one: a frame changed in place in between is not noticed), and is held
weakly: once the caller lets go of it, everything computed about it is
released, and a new batch's evidence is built only after the last one's is
dropped.
"""

from __future__ import annotations

import weakref

__all__ = ["LastBatch"]


class LastBatch:
    """What is known about one batch: its validated ``cases``, and its ``evidence`` (with
    how the batch differs from the fit, ``found``) or the ``seed`` that fit computed on it
    (``features``, ``tails``)."""

    def __init__(self, data, cases, *, evidence=None, seed=None, found=()):
        self.cases, self.evidence, self.seed, self.found = cases, evidence, seed or {}, found
        me = weakref.ref(self)  # no reference cycle: dropping the batch frees it at once
        self._data = weakref.ref(data, lambda _: me() is not None and me().clear())

    def holds(self, data) -> bool:
        """Whether ``data`` is the very object this batch was computed from (and still alive)."""
        return self._data() is data

    def clear(self) -> None:
        self.cases, self.evidence, self.seed, self.found = None, None, {}, ()

    @classmethod
    def of(cls, data, cases, **known) -> LastBatch | None:
        """The batch of ``data``, or None for an object that cannot be referenced weakly."""
        try:
            return cls(data, cases, **known)
        except TypeError:
            return None
