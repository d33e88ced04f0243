"""A logistic model over a handful of features: small enough to explain, fitted with numpy only when tuning."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Logistic:
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: list[float]) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    @classmethod
    def fit(cls, rows: list[list[float]], labels: list[bool], l2: float = 0.5) -> Logistic:
        """Newton's method on the L2-penalised log-likelihood (the bias is not penalised)."""
        import numpy as np

        x = np.hstack([np.asarray(rows, dtype=float), np.ones((len(rows), 1))])
        y = np.asarray(labels, dtype=float)
        w = np.zeros(x.shape[1])
        penalty = np.eye(x.shape[1]) * l2
        penalty[-1, -1] = 0.0
        for _ in range(50):
            p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
            gradient = x.T @ (p - y) + penalty @ w
            hessian = (x.T * (p * (1 - p))) @ x + penalty + np.eye(x.shape[1]) * 1e-9
            step = np.linalg.solve(hessian, gradient)
            w -= step
            if np.abs(step).max() < 1e-8:
                break
        return cls(tuple(float(v) for v in w[:-1]), float(w[-1]))
