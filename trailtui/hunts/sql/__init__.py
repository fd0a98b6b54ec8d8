"""Hunts compiled to Trino SQL for Athena and CloudTrail Lake (see `run`)."""
