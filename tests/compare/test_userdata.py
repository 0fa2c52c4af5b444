"""Reading a user's own data file: every bad file gets a UserDataError that says what to do."""

import hashlib
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from compare.userdata import (
    Labels,
    UserData,
    UserDataError,
    load_labels,
    load_table,
    write_mixture_csv,
)

MEANS = [[0.0, 0.0], [5.0, 5.0]]
COVS = [np.eye(2), [[2.0, 0.5], [0.5, 1.0]]]


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- happy paths


def test_mixture_csv_round_trips_exactly(tmp_path):
    path = tmp_path / "mix.csv"
    X, labels = write_mixture_csv(
        path, counts=[30, 20], means=MEANS, covariances=COVS, seed=3, columns=["a", "b"],
        label_column="component",
    )  # fmt: skip
    data = load_table(path, columns=["a", "b"])
    assert isinstance(data, UserData)
    np.testing.assert_array_equal(data.values, X)  # 17 digits: bit-for-bit
    assert data.columns == ("a", "b")
    np.testing.assert_array_equal(data.rows_used, np.arange(50))
    assert data.rows_dropped.size == 0
    comp = load_labels(path, "component")
    categories, counts = comp.counts()
    assert list(categories) == ["0", "1"] and list(counts) == [30, 20]
    np.testing.assert_array_equal(comp.values.astype(int), labels)


def test_provenance_records_path_hash_size_and_rows(tmp_path):
    path = tmp_path / "mix.csv"
    write_mixture_csv(path, counts=[5, 5], means=MEANS, covariances=COVS)
    data = load_table(path)
    prov = data.provenance
    assert prov.path == str(path.resolve())
    assert prov.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert prov.size_bytes == path.stat().st_size
    assert (prov.n_rows_read, prov.n_rows_used, prov.columns_used) == (10, 10, ("x0", "x1"))
    assert prov.as_dict()["columns_used"] == ["x0", "x1"]


def test_same_seed_same_file_and_columns_default(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_mixture_csv(a, counts=[4, 4], means=MEANS, covariances=COVS, seed=1)
    write_mixture_csv(b, counts=[4, 4], means=MEANS, covariances=COVS, seed=1)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_text().splitlines()[0] == "x0,x1"


@settings(max_examples=25, deadline=None)
@given(
    hnp.arrays(
        float,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
        elements=st.floats(allow_nan=False, allow_infinity=False, width=64),
    )
)
def test_any_finite_matrix_round_trips_through_csv(tmp_path_factory, X):
    # The reader must not lose a bit of what 17 significant digits carry.
    path = tmp_path_factory.mktemp("rt") / "m.csv"
    header = ",".join(f"c{j}" for j in range(X.shape[1]))
    rows = "\n".join(",".join(f"{v:.17g}" for v in row) for row in X)
    path.write_text(f"{header}\n{rows}\n")
    np.testing.assert_array_equal(load_table(path).values, X)


def test_only_the_columns_asked_for_are_checked(tmp_path):
    path = _write(tmp_path, "d.csv", "id,x,y\nA,1,2\nB,3,4\nC,5,6\n")
    data = load_table(path, columns=["y", "x"])
    np.testing.assert_array_equal(data.values, [[2, 1], [4, 3], [6, 5]])
    np.testing.assert_array_equal(data.column("x"), [1, 3, 5])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("semi.csv", "a;b\n1,5;2\n3;4\n"),  # decimal commas inside ;-separated cells stay text
        ("tab.tsv", "a\tb\n1.5\t2\n3\t4\n"),
        ("pipe.txt", "a|b\n1.5|2\n3|4\n"),
    ],
)
def test_delimiters(tmp_path, name, text):
    path = _write(tmp_path, name, text)
    if name == "semi.csv":
        with pytest.raises(UserDataError, match=r"column 'a'.*'1,5'"):
            load_table(path)
    else:
        np.testing.assert_array_equal(load_table(path).values, [[1.5, 2], [3, 4]])


def test_blank_lines_and_bom_are_ignored(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeffa,b\n\n1,2\n\n3,4\n".encode())
    data = load_table(path)
    assert data.columns == ("a", "b")
    np.testing.assert_array_equal(data.values, [[1, 2], [3, 4]])


def test_npy_plain_and_structured(tmp_path):
    plain = tmp_path / "p.npy"
    np.save(plain, np.arange(6.0).reshape(3, 2))
    data = load_table(plain)
    assert data.columns == ("x0", "x1")
    np.testing.assert_array_equal(data.values, np.arange(6.0).reshape(3, 2))
    one_d = tmp_path / "v.npy"
    np.save(one_d, np.array([1.0, 2.0, np.nan]))
    assert load_table(one_d, drop_missing=True).values.shape == (2, 1)
    structured = tmp_path / "s.npy"
    rec = np.array([(1.0, 0), (2.0, 1)], dtype=[("x", "f8"), ("y", "i4")])
    np.save(structured, rec)
    data = load_table(structured, columns=["y", "x"])
    np.testing.assert_array_equal(data.values, [[0, 1], [1, 2]])


def test_parquet_numeric_text_nullable_and_bool(tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    path = tmp_path / "d.parquet"
    frame = pd.DataFrame(
        {
            "x": [0.5, 1.5, 2.5, 3.5],
            "n": pd.array([1, None, 3, 4], dtype="Int64"),
            "ok": [True, False, True, True],
            "kind": ["a", "b", None, "a"],
        }
    )
    frame.to_parquet(path)
    data = load_table(path, columns=["x", "n", "ok"], drop_missing=True)
    np.testing.assert_array_equal(data.values, [[0.5, 1, 1], [2.5, 3, 1], [3.5, 4, 1]])
    np.testing.assert_array_equal(data.rows_dropped, [1])
    labels = load_labels(path, "kind", drop_missing=True)
    assert list(labels.values) == ["a", "b", "a"]
    assert list(load_labels(path, "n", drop_missing=True).values) == ["1", "3", "4"]
    with pytest.raises(UserDataError, match=r"column 'kind'.*must hold numbers.*row 1: 'a'"):
        load_table(path, columns=["kind"], drop_missing=True)


def test_selection_helpers(tmp_path):
    path = _write(
        tmp_path, "r.csv", "y,a,b\n" + "".join(f"{i % 2},{i},{i * i}\n" for i in range(8))
    )
    data = load_table(path)
    X, y = data.regression("y", ["a", "b"], logistic=True)
    assert X.shape == (8, 2) and set(np.unique(y)) == {0.0, 1.0}
    X, y = data.regression("b", ["a"])
    np.testing.assert_array_equal(y, np.arange(8) ** 2)
    assert data.mixture_matrix(2, columns=["a", "b"]).shape == (8, 2)
    assert data.mixture_matrix(1).shape == (8, 3)  # 1 * (3 + 1) = 4 rows needed, 8 there


def test_labels_count_each_distinct_value(tmp_path):
    path = _write(tmp_path, "c.csv", "colour\nred\nblue\nred\n\nred\ngreen\n")
    labels = load_labels(path, "colour")
    assert isinstance(labels, Labels)
    categories, counts = labels.counts()
    assert dict(zip(categories, counts, strict=True)) == {"blue": 1, "green": 1, "red": 3}
    assert counts.sum() == len(labels.values) == 5


# --------------------------------------------------------------------------- one test per message


def test_missing_file(tmp_path):
    with pytest.raises(UserDataError, match=r"no such file: .*nope\.csv"):
        load_table(tmp_path / "nope.csv")


def test_user_data_error_is_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        load_table(tmp_path / "nope.csv")


def test_directory(tmp_path):
    with pytest.raises(UserDataError, match="is a directory"):
        load_table(tmp_path)


def test_unsupported_suffix_lists_the_accepted(tmp_path):
    path = _write(tmp_path, "d.xlsx", "x")
    with pytest.raises(UserDataError, match=r"unsupported type '\.xlsx'; accepted: \.csv"):
        load_table(path)


def test_empty_file(tmp_path):
    path = _write(tmp_path, "e.csv", "")
    with pytest.raises(UserDataError, match=r"is empty \(0 bytes\)"):
        load_table(path)


def test_blank_file(tmp_path):
    path = _write(tmp_path, "b.csv", "\n  \n")
    with pytest.raises(UserDataError, match="only blank space"):
        load_table(path)


def test_header_but_no_rows(tmp_path):
    path = _write(tmp_path, "h.csv", "a,b\n")
    with pytest.raises(UserDataError, match=r"column names \(a, b\) but no data rows"):
        load_table(path)


def test_not_utf8_text(tmp_path):
    path = tmp_path / "bin.csv"
    path.write_bytes(b"a,b\n\xff\xfe\x00\x81,2\n")
    with pytest.raises(UserDataError, match=r"cannot be read as a \.csv file \(UnicodeDecodeError"):
        load_table(path)


def test_corrupt_npy(tmp_path):
    path = tmp_path / "bad.npy"
    path.write_bytes(b"not an npy file at all")
    with pytest.raises(UserDataError, match=r"cannot be read as a \.npy file"):
        load_table(path)


def test_corrupt_parquet(tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(UserDataError, match=r"cannot be read as a \.parquet file"):
        load_table(path)


def test_npy_of_three_dimensions(tmp_path):
    path = tmp_path / "cube.npy"
    np.save(path, np.zeros((2, 2, 2)))
    with pytest.raises(UserDataError, match=r"shape \(2, 2, 2\); expected \(n,\) or \(n, d\)"):
        load_table(path)


def test_no_such_column_lists_the_available(tmp_path):
    path = _write(tmp_path, "d.csv", "height,weight\n1,2\n")
    with pytest.raises(UserDataError, match=r"no column 'age'; its columns are 'height', 'weight'"):
        load_table(path, columns=["height", "age"])


def test_no_such_column_when_selecting_from_loaded_data(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "a,b\n1,2\n3,4\n5,6\n"))
    with pytest.raises(UserDataError, match=r"no column 'c'; its columns are 'a', 'b'"):
        data.regression("c", ["a"])


def test_non_numeric_names_row_line_and_column(tmp_path):
    rows = "".join(f"{v},1\n" for v in ["1", "2", "x1", "3", "two", "1_0", "b", "c", "d", "e"])
    path = _write(tmp_path, "d.csv", "a,b\n" + rows)
    with pytest.raises(UserDataError) as info:
        load_table(path)
    message = str(info.value)
    assert "column 'a'" in message and "7 cells do not" in message
    assert "row 3 (line 4): 'x1'" in message and "row 5 (line 6): 'two'" in message
    assert "row 6 (line 7): '1_0'" in message  # Python's float() would read 10
    assert "and 2 more" in message  # five shown, two left


def test_missing_cells_say_how_many_where_and_suggest_drop_missing(tmp_path):
    path = _write(tmp_path, "d.csv", "a,b\n1,2\n,3\n4,NA\n5,6\n7,nan\n")
    with pytest.raises(UserDataError) as info:
        load_table(path)
    message = str(info.value)
    assert "3 rows with empty or NA cells" in message
    assert "'a': 1 (row 2 (line 3))" in message
    assert "'b': 2 (row 3 (line 4), row 5 (line 6))" in message
    assert "--drop-missing" in message
    data = load_table(path, drop_missing=True)
    np.testing.assert_array_equal(data.values, [[1, 2], [5, 6]])
    np.testing.assert_array_equal(data.rows_used, [0, 3])
    np.testing.assert_array_equal(data.rows_dropped, [1, 2, 4])
    assert data.provenance.n_rows_read == 5 and data.provenance.n_rows_used == 2


def test_every_row_missing(tmp_path):
    path = _write(tmp_path, "d.csv", "a,b\n,1\nNA,2\n")
    with pytest.raises(UserDataError, match=r"every one of the 2 rows .* no row is left"):
        load_table(path, drop_missing=True)


def test_missing_labels(tmp_path):
    path = _write(tmp_path, "c.csv", "g,x\na,1\n,2\nb,3\n")
    with pytest.raises(UserDataError, match=r"'g': 1 \(row 2 \(line 3\)\).*--drop-missing"):
        load_labels(path, "g")
    assert list(load_labels(path, "g", drop_missing=True).values) == ["a", "b"]


def test_infinite_values(tmp_path):
    path = _write(tmp_path, "d.csv", "a\n1\ninf\n-inf\n")
    with pytest.raises(UserDataError, match=r"2 infinite values \(row 2 \(line 3\), row 3"):
        load_table(path)


def test_too_few_rows_for_k_says_how_many(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "a,b\n1,2\n3,4\n5,7\n6,1\n9,9\n"))
    with pytest.raises(UserDataError, match=r"has 5 usable rows, but a 3-component mixture of 2 "
                       r"columns needs at least 9"):  # fmt: skip
        data.mixture_matrix(3)


def test_too_few_rows_mentions_dropped_rows(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "a\n1\n\n\n2\nNA\n"), drop_missing=True)
    with pytest.raises(UserDataError, match=r"2 usable rows \(1 were dropped for missing"):
        data.mixture_matrix(2)


def test_too_few_rows_for_regression(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "y,a,b\n1,2,3\n2,3,5\n3,1,1\n"))
    with pytest.raises(
        UserDataError, match=r"linear regression on 2 predictor\(s\) needs at least 4"
    ):
        data.regression("y", ["a", "b"])


def test_logistic_outcome_not_zero_one_lists_values(tmp_path):
    text = "y,x\n" + "".join(f"{v},{i}\n" for i, v in enumerate([1, 2, 1, 0, 2, 1]))
    data = load_table(_write(tmp_path, "d.csv", text))
    with pytest.raises(
        UserDataError, match=r"'y' must hold only 0 and 1; its distinct values are 0, 1, 2"
    ):
        data.regression("y", ["x"], logistic=True)


def test_duplicate_column_names(tmp_path):
    path = _write(tmp_path, "d.csv", "a,b,a,b,c\n1,2,3,4,5\n")
    with pytest.raises(UserDataError, match=r"duplicate column names: 'a', 'b'"):
        load_table(path)


def test_unnamed_column(tmp_path):
    path = _write(tmp_path, "d.csv", "a,,c\n1,2,3\n")
    with pytest.raises(UserDataError, match=r"column\(s\) 2 of the header have no name"):
        load_table(path)


def test_single_column_when_two_are_asked(tmp_path):
    path = _write(tmp_path, "d.csv", "a b\n1 2\n3 4\n")  # space-separated: one column
    with pytest.raises(
        UserDataError, match=r"only 1 column \('a b'\) but 2 were asked for \(a, b\)"
    ):
        load_table(path, columns=["a", "b"])


def test_ragged_row(tmp_path):
    path = _write(tmp_path, "d.csv", "a,b\n1,2\n3\n")
    with pytest.raises(UserDataError, match=r"line 3 has 1 fields but the header has 2 \(a, b\)"):
        load_table(path)


def test_header_of_numbers_asks_for_a_header(tmp_path):
    path = _write(tmp_path, "d.csv", "1.5,2\n3,4\n")
    with pytest.raises(UserDataError, match=r"the first row must name the columns.*x0,x1"):
        load_table(path)


def test_regression_outcome_among_predictors(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "y,a\n1,2\n2,3\n3,1\n4,4\n"))
    with pytest.raises(UserDataError, match="both the outcome and a predictor"):
        data.regression("y", ["y", "a"])
    with pytest.raises(UserDataError, match="at least one predictor"):
        data.regression("y", [])


@pytest.mark.parametrize(
    ("columns", "error", "pattern"),
    [
        ("a,b", TypeError, re.escape("columns must be a sequence of column names")),
        ([], ValueError, "at least one column"),
        (["a", "a"], ValueError, "'a' more than once"),
    ],
)
def test_bad_columns_argument(tmp_path, columns, error, pattern):
    path = _write(tmp_path, "d.csv", "a,b\n1,2\n")
    with pytest.raises(error, match=pattern):
        load_table(path, columns=columns)


def test_bad_arguments_name_themselves(tmp_path):
    data = load_table(_write(tmp_path, "d.csv", "a\n1\n2\n"))
    with pytest.raises(TypeError, match="n_components must be an int"):
        data.mixture_matrix(1.5)
    with pytest.raises(ValueError, match="n_components must be >= 1"):
        data.mixture_matrix(0)
    with pytest.raises(TypeError, match="path must be a str or path-like"):
        load_table(3)
    with pytest.raises(ValueError, match="columns must name 2 columns"):
        write_mixture_csv(tmp_path / "w.csv", counts=[2, 2], means=MEANS, covariances=COVS,
                          columns=["only"])  # fmt: skip
