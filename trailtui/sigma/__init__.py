"""Sigma rules as hunts: pySigma parses, trailtui converts the parsed rule to
the JMESPath filter (and threshold or sequence) every source already runs."""

from trailtui.sigma.loader import Refusal, SigmaLoad, load_sigma

__all__ = ["Refusal", "SigmaLoad", "load_sigma"]
