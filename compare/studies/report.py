"""Where :func:`write_study` used to live; it now sits with the other pages.

Kept so ``from compare.studies.report import write_study`` (the README's example) works:
the pages are :mod:`compare.reports.study_page` and :mod:`compare.reports.index`.
"""

from ..reports.index import (
    BLOCK_END,
    BLOCK_START,
    link_studies,
    read_studies,
    studies_block,
    write_studies_index,
)
from ..reports.study_page import write_study

__all__ = [
    "BLOCK_END",
    "BLOCK_START",
    "link_studies",
    "read_studies",
    "studies_block",
    "write_studies_index",
    "write_study",
]
