"""Accuracy indices of generated samples: E(2), E(s), E(R), E(AAI) (lower is better).

Public API::

    from neurochaos.metrics import accuracy_indices, e2, es, er, aai
"""

from .evaluate import evaluate_samples, load_samples
from .indices import KEYS, aai, accuracy_indices, adversarial_accuracy, e2, er, es, is_binary

__all__ = [
    "KEYS",
    "accuracy_indices",
    "e2",
    "es",
    "er",
    "aai",
    "adversarial_accuracy",
    "is_binary",
    "evaluate_samples",
    "load_samples",
]
