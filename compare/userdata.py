"""A user's own data file: read it, check it, and hand back arrays with their provenance.

``load_table`` reads the numeric columns a fit needs from a CSV (``.csv``, ``.tsv``,
``.txt``), NumPy (``.npy``) or Parquet (``.parquet``) file; ``load_labels`` reads one column
of category labels. Both check everything a fit would otherwise trip over later, with a
message that says what is wrong, where, and what to do, and record where the numbers came
from (absolute path, sha256, size, rows and columns used) so a report can cite its data.

The selection helpers then shape the table for one kind of model:

- :meth:`UserData.mixture_matrix` for a Gaussian mixture (``--columns a,b``);
- :meth:`UserData.regression` for a linear or logistic regression (``--linear Y --x a,b``,
  ``--logistic Y --x a,b``; the logistic outcome must be 0/1);
- :meth:`Labels.counts` for a categorical distribution (``--counts COLUMN``).

``--counts COLUMN`` takes a column of category **labels**, one observation per row (the
form data are collected in), and counts each distinct label. A column of already-counted
totals is not accepted, because a column of small integers could be either and guessing
would silently fit the wrong model.

Every problem with the file raises :class:`UserDataError`, a ``ValueError``, so a command
line can turn it into one clear message and a non-zero exit without writing anything.

CSV is read with the standard library (no pandas); pandas and pyarrow are imported only
for a ``.parquet`` file.
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "CSV_SUFFIXES",
    "MISSING_MARKERS",
    "SUFFIXES",
    "Labels",
    "Provenance",
    "UserData",
    "UserDataError",
    "load_labels",
    "load_table",
    "write_mixture_csv",
]

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
SUFFIXES = (*CSV_SUFFIXES, ".npy", ".parquet")
#: Cell texts read as "no value" (compared after stripping spaces, case-insensitively).
MISSING_MARKERS = ("", "na", "nan", "n/a", "null", "none")
#: How many offending cells a message lists before it says "and N more".
_SHOWN = 5


class UserDataError(ValueError):
    """A data file that cannot be used as asked; the message says why and what to do."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Provenance:
    """Where a table came from, for a report to cite.

    Attributes
    ----------
    path : str
        Absolute path of the file.
    sha256 : str
        Hex digest of the file's bytes.
    size_bytes : int
    n_rows_read : int
        Data rows in the file (header excluded).
    n_rows_used : int
        Rows kept after ``drop_missing``.
    columns_used : tuple of str
    """

    path: str
    sha256: str
    size_bytes: int
    n_rows_read: int
    n_rows_used: int
    columns_used: tuple[str, ...]

    def as_dict(self) -> dict:
        """Plain types, for JSON."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size_bytes": self.size_bytes,
            "n_rows_read": self.n_rows_read,
            "n_rows_used": self.n_rows_used,
            "columns_used": list(self.columns_used),
        }


@dataclass(frozen=True)
class UserData:
    """The numeric columns read from a user's file.

    Attributes
    ----------
    values : ndarray of shape (n, d), float
        Finite numbers only.
    columns : tuple of str, length d
        Column names, in the order of ``values``.
    rows_used : ndarray of int, shape (n,)
        0-based index, among the file's data rows, of each row of ``values``.
    rows_dropped : ndarray of int
        0-based indices of the rows ``drop_missing`` removed (empty otherwise).
    provenance : Provenance
    """

    values: np.ndarray
    columns: tuple[str, ...]
    rows_used: np.ndarray
    rows_dropped: np.ndarray
    provenance: Provenance

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]

    def column(self, name: str) -> np.ndarray:
        """One column by name; shape (n,)."""
        return self.values[:, self._index([name])[0]]

    def select(self, names: Sequence[str]) -> np.ndarray:
        """Columns by name, in the order given; shape (n, len(names))."""
        return self.values[:, self._index(names)]

    def mixture_matrix(self, n_components: int, columns: Sequence[str] | None = None):
        """The data matrix for a ``n_components``-component Gaussian mixture.

        A component's full covariance needs ``d + 1`` points in general position to be
        non-singular, so at least ``n_components * (d + 1)`` rows are required.

        Parameters
        ----------
        n_components : int
            ``K >= 1``.
        columns : sequence of str, optional
            Which columns (default: all of them, in the table's order).

        Returns
        -------
        ndarray of shape (n, d)
        """
        if isinstance(n_components, bool) or not isinstance(n_components, int | np.integer):
            raise TypeError(f"n_components must be an int >= 1; got {n_components!r}")
        if n_components < 1:
            raise ValueError(f"n_components must be >= 1; got {n_components}")
        names = list(self.columns if columns is None else columns)
        X = self.select(names)
        needed = n_components * (X.shape[1] + 1)
        self._require_rows(needed, f"a {n_components}-component mixture of {len(names)} columns")
        return X

    def regression(self, outcome: str, predictors: Sequence[str], *, logistic: bool = False):
        """Design for a linear (or, with ``logistic=True``, logistic) regression.

        Parameters
        ----------
        outcome : str
            The response column ``Y``; for a logistic regression every value must be 0 or 1.
        predictors : sequence of str
            The ``x`` columns (at least one; the intercept is the model's, not a column).
        logistic : bool, default=False

        Returns
        -------
        X : ndarray of shape (n, p)
        y : ndarray of shape (n,)
        """
        predictors = list(predictors)
        if not predictors:
            raise UserDataError("a regression needs at least one predictor column (--x a,b)")
        if outcome in predictors:
            raise UserDataError(
                f"column {outcome!r} is both the outcome and a predictor; choose it once"
            )
        X, y = self.select(predictors), self.column(outcome)
        # Intercept + p slopes (+ the noise sd for a linear model) need more rows than
        # parameters, or the fit interpolates and every standard error is undefined.
        needed = len(predictors) + 2
        kind = "logistic" if logistic else "linear"
        self._require_rows(needed, f"a {kind} regression on {len(predictors)} predictor(s)")
        if logistic:
            distinct = np.unique(y)
            if not np.all(np.isin(distinct, (0.0, 1.0))):
                raise UserDataError(
                    f"the logistic outcome {outcome!r} must hold only 0 and 1; its distinct "
                    f"values are {_list_values(distinct)}. Recode it (e.g. yes/no to 1/0) "
                    "or fit a linear regression instead"
                )
        return X, y

    def _index(self, names: Sequence[str]) -> list[int]:
        missing = [n for n in names if n not in self.columns]
        if missing:
            raise UserDataError(_no_such_columns(missing, self.columns, self.provenance.path))
        return [self.columns.index(n) for n in names]

    def _require_rows(self, needed: int, what: str) -> None:
        if self.n_rows < needed:
            dropped = (
                f" ({len(self.rows_dropped)} were dropped for missing values)"
                if len(self.rows_dropped)
                else ""
            )
            raise UserDataError(
                f"{self.provenance.path} has {self.n_rows} usable rows{dropped}, "
                f"but {what} needs at least {needed}. Use more data or fewer "
                "components/columns"
            )


@dataclass(frozen=True)
class Labels:
    """One column of category labels, one observation per row.

    Attributes
    ----------
    values : ndarray of str, shape (n,)
        Labels as text (numbers keep their written form: ``"1"`` and ``"1.0"`` differ in a
        CSV; an integer column of a ``.npy``/``.parquet`` file reads as ``"1"``).
    column : str
    rows_used, rows_dropped : ndarray of int
        As in :class:`UserData`.
    provenance : Provenance
    """

    values: np.ndarray
    column: str
    rows_used: np.ndarray
    rows_dropped: np.ndarray
    provenance: Provenance

    def counts(self) -> tuple[np.ndarray, np.ndarray]:
        """Distinct labels (sorted) and how often each occurs.

        Returns
        -------
        categories : ndarray of str, shape (K,)
        counts : ndarray of int, shape (K,)
            ``counts.sum() == len(values)``; feed to ``em.CategoricalMLE().fit(counts=...)``
            with ``categories=categories``.
        """
        categories, counts = np.unique(self.values, return_counts=True)
        return categories, counts


# --------------------------------------------------------------------------- loading


def load_table(path, *, columns: Sequence[str] | None = None, drop_missing: bool = False):
    """Read numeric columns of a data file.

    Parameters
    ----------
    path : str or path-like
        A ``.csv``/``.tsv``/``.txt`` file whose first row names the columns (delimiter
        detected among ``, ; tab |``), a ``.npy`` array of shape (n,) or (n, d) (columns
        named ``x0, x1, ...``, or by field for a structured array) or a ``.parquet`` file.
    columns : sequence of str, optional
        The columns to read, in this order. Default: all columns; then every column must be
        numeric. Only these columns are checked, so a file may carry other (e.g. text)
        columns as long as they are not asked for.
    drop_missing : bool, default=False
        Drop every row with an empty/NA cell in ``columns`` instead of failing. Non-numeric
        text is never dropped: it is an error in the file.

    Returns
    -------
    UserData

    Raises
    ------
    UserDataError
        The file is missing, unreadable, empty, of an unknown type, or a column is absent,
        duplicated, non-numeric or (without ``drop_missing``) has missing cells, or no row
        is left.
    """
    path, raw = _read(path)
    names = _choose_columns(raw, columns, path)
    parsed = {name: _numeric_column(raw, name, path) for name in names}
    keep, dropped = _missing_rows(parsed, raw, names, path, drop_missing)
    values = np.column_stack([parsed[n][0][keep] for n in names])
    return UserData(
        values=values,
        columns=tuple(names),
        rows_used=keep,
        rows_dropped=dropped,
        provenance=_provenance(path, raw.n_rows, len(keep), names),
    )


def load_labels(path, column: str, *, drop_missing: bool = False) -> Labels:
    """Read one column of category labels (text or numbers), one observation per row.

    Parameters
    ----------
    path : str or path-like
        As for :func:`load_table`.
    column : str
    drop_missing : bool, default=False
        Drop rows whose label is empty/NA instead of failing.

    Returns
    -------
    Labels
    """
    path, raw = _read(path)
    (name,) = _choose_columns(raw, [column], path)
    cells = raw.cells[name]
    missing = np.array([_is_missing(c) for c in cells], dtype=bool)
    parsed = {name: (None, missing)}
    keep, dropped = _missing_rows(parsed, raw, [name], path, drop_missing)
    values = np.array([_label_text(cells[i]) for i in keep], dtype=str)
    return Labels(
        values=values,
        column=name,
        rows_used=keep,
        rows_dropped=dropped,
        provenance=_provenance(path, raw.n_rows, len(keep), [name]),
    )


@dataclass(frozen=True)
class _Raw:
    """A file's columns before any conversion: names and one cell sequence per column."""

    columns: tuple[str, ...]
    cells: dict[str, Sequence]  # str cells for CSV; numpy/pandas values otherwise
    n_rows: int
    # First file line of each data row (CSV only), so messages can point into the file.
    lines: Sequence[int] | None = None

    def where(self, row: int) -> str:
        """``"row 3 (line 4)"`` for CSV, ``"row 3"`` otherwise; ``row`` is 0-based."""
        text = f"row {row + 1}"
        return text if self.lines is None else f"{text} (line {self.lines[row]})"


def _read(path) -> tuple[Path, _Raw]:
    """Check the path and read the file's columns by its suffix."""
    if not isinstance(path, str | Path) and not hasattr(path, "__fspath__"):
        raise TypeError(f"path must be a str or path-like; got {type(path).__name__}")
    path = Path(path).expanduser().resolve()
    if not path.exists():
        raise UserDataError(f"no such file: {path}")
    if path.is_dir():
        raise UserDataError(f"{path} is a directory; give the data file inside it")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UserDataError(
            f"{path} has an unsupported type {suffix or '(no suffix)'!r}; "
            f"accepted: {', '.join(SUFFIXES)}"
        )
    if path.stat().st_size == 0:
        raise UserDataError(f"{path} is empty (0 bytes)")
    try:
        if suffix == ".npy":
            raw = _read_npy(path)
        elif suffix == ".parquet":
            raw = _read_parquet(path)
        else:
            raw = _read_csv(path, delimiter="\t" if suffix == ".tsv" else None)
    except UserDataError:
        raise
    except (OSError, UnicodeDecodeError, ValueError, csv.Error) as exc:
        raise UserDataError(
            f"{path} cannot be read as a {suffix} file ({type(exc).__name__}: {exc})"
        ) from exc
    if raw.n_rows == 0:
        raise UserDataError(f"{path} has column names ({', '.join(raw.columns)}) but no data rows")
    return path, raw


def _read_csv(path: Path, delimiter: str | None) -> _Raw:
    with path.open(newline="", encoding="utf-8-sig") as f:
        text = f.read()
    if not text.strip():
        raise UserDataError(f"{path} holds only blank space; it has no header or data")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","  # one column, or nothing the sniffer can tell apart
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter)
    header = None
    rows, lines = [], []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue  # blank lines carry no data, in the header position or after it
        if header is None:
            header = [cell.strip() for cell in record]
            continue
        if len(record) != len(header):
            raise UserDataError(
                f"{path} line {reader.line_num} has {len(record)} fields but the header "
                f"has {len(header)} ({', '.join(header)}); every row needs one value per "
                "column (leave a cell empty for a missing value)"
            )
        rows.append(record)
        lines.append(reader.line_num)
    _check_names(header, path)
    if rows and all(_is_number(h) for h in header):
        raise UserDataError(
            f"the first row of {path} ({', '.join(header)}) is all numbers; the first "
            "row must name the columns. Add a header line such as "
            f"{','.join(f'x{j}' for j in range(len(header)))}"
        )
    cells = {name: [r[j].strip() for r in rows] for j, name in enumerate(header)}
    return _Raw(tuple(header), cells, len(rows), lines)


def _read_npy(path: Path) -> _Raw:
    array = np.load(path, allow_pickle=False)
    if array.dtype.names:  # structured array: its fields are the columns
        names = list(array.dtype.names)
        _check_names(names, path)
        flat = array.reshape(-1)
        return _Raw(tuple(names), {n: flat[n] for n in names}, flat.shape[0])
    if array.ndim not in (1, 2):
        raise UserDataError(
            f"{path} holds an array of shape {array.shape}; expected (n,) or (n, d)"
        )
    matrix = array.reshape(-1, 1) if array.ndim == 1 else array
    names = [f"x{j}" for j in range(matrix.shape[1])]
    return _Raw(tuple(names), {n: matrix[:, j] for j, n in enumerate(names)}, matrix.shape[0])


def _read_parquet(path: Path) -> _Raw:
    try:
        import pandas as pd  # lazily: only Parquet needs it
    except ImportError as exc:  # pragma: no cover - pandas is installed with ArviZ
        raise UserDataError("reading .parquet needs pandas and pyarrow installed") from exc
    frame = pd.read_parquet(path)
    names = [str(c) for c in frame.columns]
    _check_names(names, path)
    cells = {}
    for j, name in enumerate(names):
        series = frame.iloc[:, j]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            # Nullable (extension) columns hold pd.NA; as floats they hold NaN like the rest.
            cells[name] = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            cells[name] = series.astype(object).where(series.notna(), None).to_numpy()
    return _Raw(tuple(names), cells, len(frame))


def _check_names(names: Sequence[str] | None, path: Path) -> None:
    if not names:
        raise UserDataError(f"{path} has no header row naming the columns")
    unnamed = [j + 1 for j, n in enumerate(names) if not str(n).strip()]
    if unnamed:
        raise UserDataError(
            f"{path}: column(s) {', '.join(map(str, unnamed))} of the header have no "
            "name; give every column a name"
        )
    seen, duplicates = set(), []
    for n in names:
        if n in seen and n not in duplicates:
            duplicates.append(n)
        seen.add(n)
    if duplicates:
        raise UserDataError(
            f"{path} has duplicate column names: {', '.join(map(repr, duplicates))}; "
            "rename them so each column can be asked for by name"
        )


def _choose_columns(raw: _Raw, columns, path: Path) -> list[str]:
    if columns is None:
        return list(raw.columns)
    if isinstance(columns, str):
        raise TypeError(
            f"columns must be a sequence of column names, e.g. ['a', 'b']; got the string "
            f"{columns!r} (split 'a,b' first)"
        )
    names = [str(c) for c in columns]
    if not names:
        raise ValueError("columns must name at least one column; got an empty list")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"columns names {', '.join(map(repr, repeated))} more than once")
    if len(raw.columns) < len(names):
        raise UserDataError(
            f"{path} has only {_count(len(raw.columns), 'column')} "
            f"({', '.join(map(repr, raw.columns))}) but {len(names)} were asked for "
            f"({', '.join(names)}); is the delimiter right? Accepted delimiters: , ; tab |"
        )
    missing = [n for n in names if n not in raw.columns]
    if missing:
        raise UserDataError(_no_such_columns(missing, raw.columns, path))
    return names


def _numeric_column(raw: _Raw, name: str, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(values, missing mask) of one column; raises on a cell that is not a finite number."""
    cells = raw.cells[name]
    if isinstance(cells, np.ndarray) and (
        np.issubdtype(cells.dtype, np.number) or cells.dtype == bool
    ):
        values = cells.astype(float)
        missing = np.isnan(values)
    else:
        values = np.empty(raw.n_rows)
        missing = np.zeros(raw.n_rows, dtype=bool)
        bad = []
        for i, cell in enumerate(cells):
            if _is_missing(cell):
                missing[i] = True
                values[i] = np.nan
                continue
            number = _to_float(cell)
            if number is None:
                bad.append((i, cell))
            else:
                values[i] = number
        if bad:
            shown = "; ".join(f"{raw.where(i)}: {str(c)!r}" for i, c in bad[:_SHOWN])
            raise UserDataError(
                f"column {name!r} of {path} must hold numbers, but "
                f"{_count(len(bad), 'cell')} do not: {shown}{_more(len(bad))}. Fix or remove "
                "those rows, or leave out this column"
            )
    infinite = np.flatnonzero(np.isinf(values))
    if infinite.size:
        shown = ", ".join(raw.where(int(i)) for i in infinite[:_SHOWN])
        raise UserDataError(
            f"column {name!r} of {path} has {_count(infinite.size, 'infinite value')} "
            f"({shown}{_more(infinite.size)}); only finite numbers can be fitted"
        )
    return values, missing


def _missing_rows(parsed, raw: _Raw, names, path: Path, drop_missing: bool):
    """Rows to keep and rows dropped; raises on missing cells unless ``drop_missing``."""
    any_missing = np.zeros(raw.n_rows, dtype=bool)
    report = []
    for name in names:
        missing = parsed[name][1]
        any_missing |= missing
        if missing.any():
            rows = np.flatnonzero(missing)
            where = ", ".join(raw.where(int(i)) for i in rows[:_SHOWN]) + _more(rows.size)
            report.append(f"{name!r}: {rows.size} ({where})")
    if report and not drop_missing:
        raise UserDataError(
            f"{path} has {_count(int(any_missing.sum()), 'row')} with empty or NA "
            f"cells in the columns asked for ({'; '.join(report)}). Fill them in, or pass "
            "--drop-missing (drop_missing=True) to leave those rows out"
        )
    keep, dropped = np.flatnonzero(~any_missing), np.flatnonzero(any_missing)
    if keep.size == 0:
        raise UserDataError(
            f"every one of the {raw.n_rows} rows of {path} has a missing cell in "
            f"{', '.join(names)}; no row is left to fit"
        )
    return keep, dropped


def _provenance(path: Path, n_read: int, n_used: int, names) -> Provenance:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return Provenance(
        path=str(path),
        sha256=digest.hexdigest(),
        size_bytes=path.stat().st_size,
        n_rows_read=n_read,
        n_rows_used=n_used,
        columns_used=tuple(names),
    )


# --------------------------------------------------------------------------- cells


def _is_missing(cell) -> bool:
    if cell is None:
        return True
    if isinstance(cell, str):
        return cell.strip().lower() in MISSING_MARKERS
    try:
        return bool(np.isnan(cell))
    except (TypeError, ValueError):
        return False  # not a number and not text: a value, whatever it is


def _to_float(cell) -> float | None:
    """The cell as a float, or None when it is not a number (``True``/``False`` are 1/0)."""
    if isinstance(cell, bool | np.bool_):
        return float(cell)
    if isinstance(cell, int | float | np.integer | np.floating):
        return float(cell)
    text = str(cell).strip()
    if "_" in text:  # float() reads "1_000" as 1000; in a data file that is a typo, not a number
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _is_number(text: str) -> bool:
    number = _to_float(text)
    return number is not None and math.isfinite(number)


def _label_text(cell) -> str:
    """A label as text; an integral float (how pandas stores an int column with NaN) as int."""
    if isinstance(cell, float | np.floating) and float(cell).is_integer():
        return str(int(cell))
    return str(cell).strip()


# --------------------------------------------------------------------------- messages


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _more(n: int) -> str:
    return f" and {n - _SHOWN} more" if n > _SHOWN else ""


def _no_such_columns(missing, available, path) -> str:
    return (
        f"{path} has no column {', '.join(map(repr, missing))}; its columns are "
        f"{', '.join(map(repr, available))}"
    )


def _list_values(values: np.ndarray) -> str:
    shown = ", ".join(f"{v:g}" for v in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


# --------------------------------------------------------------------------- writing


def write_mixture_csv(
    path,
    *,
    counts,
    means,
    covariances,
    seed: int = 0,
    columns: Sequence[str] | None = None,
    label_column: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw a known Gaussian mixture and write it as a CSV with a header.

    For tests and examples: the file round-trips exactly through :func:`load_table`
    (values are written with 17 significant digits).

    Parameters
    ----------
    path : str or path-like
        Where to write (``.csv``); an existing file is replaced.
    counts : sequence of int, length K
        Points drawn from each component (fixed, as in ``compare.generate.mixture_sample``).
    means : array-like of shape (K, d)
    covariances : array-like of shape (K, d, d)
    seed : int, default=0
    columns : sequence of str, optional
        Column names; default ``x0, x1, ...``.
    label_column : str, optional
        Also write each row's component (0..K-1) in a column of this name.

    Returns
    -------
    X : ndarray of shape (sum(counts), d)
        The values written, in file order.
    labels : ndarray of int, shape (sum(counts),)
    """
    from .generate import mixture_sample

    X, labels = mixture_sample(np.random.default_rng(seed), counts, means, covariances)
    names = [f"x{j}" for j in range(X.shape[1])] if columns is None else list(columns)
    if len(names) != X.shape[1]:
        raise ValueError(f"columns must name {X.shape[1]} columns; got {len(names)}: {names}")
    header = [*names, label_column] if label_column is not None else names
    if len(set(header)) != len(header):
        raise ValueError(f"column names must be distinct; got {header}")
    with Path(path).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for row, label in zip(X, labels, strict=True):
            cells = [f"{v:.17g}" for v in row]
            writer.writerow([*cells, int(label)] if label_column is not None else cells)
    return X, labels
