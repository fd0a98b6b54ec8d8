"""trailtui: a terminal investigation console for AWS CloudTrail."""

__version__ = "0.1.0"
