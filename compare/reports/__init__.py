"""Everything that writes to disk: the case pages, the study pages and the indexes.

``_html`` (CSS, formatting, tables, JSON) and ``_files`` (safe writes, figure saving) are
the kit every page is built with; :func:`write_report` and :func:`write_study` are the two
ways in.
"""

from .index import write_report
from .study_page import write_study

__all__ = ["write_report", "write_study"]
