"""The case: what an analyst wrote about one source (marks, notes, the last
integrity verdict), kept on disk per source so nothing is lost on quit, crash
or a mistaken unmark."""

from trailtui.case.store import Case, CaseStore, case_path, cases_dir, load_case

__all__ = ["Case", "CaseStore", "case_path", "cases_dir", "load_case"]
