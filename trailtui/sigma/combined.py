"""The hunts a run uses: the built-in (or a custom) catalogue, plus Sigma
rules, or the Sigma rules alone; one place for the CLI and the console."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from trailtui.hunts import Catalogue, CatalogueError, load_catalogue
from trailtui.sigma.loader import Refusal, load_sigma


def hunts_with_sigma(catalogue_path: str | Path | None, sigma_paths: Sequence[str | Path],
                     only_sigma: bool = False) -> tuple[Catalogue, tuple[Refusal, ...]]:
    """(the catalogue to run, the Sigma rules and files not loaded).  Raises
    CatalogueError for a usage problem."""
    if only_sigma and not sigma_paths:
        raise CatalogueError("--only-sigma needs --sigma PATH")
    catalogue = load_catalogue(catalogue_path)
    if not sigma_paths:
        return catalogue, ()
    loaded = load_sigma(sigma_paths, taken_ids=(h.id for h in catalogue))
    base = () if only_sigma else catalogue.hunts
    return Catalogue(base + loaded.hunts), loaded.refused
