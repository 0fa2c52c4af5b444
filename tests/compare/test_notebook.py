"""Study results show a readable HTML summary in Jupyter, their figure left for the page."""

import matplotlib.pyplot as plt

from compare.notebook import html_table
from compare.studies._base import StudyResult, Table


def test_study_repr_html_shows_answer_tables_and_figure(html_page):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    result = StudyResult(
        name="demo",
        question="Does it work?",
        answer="Yes, in 3 of 4 runs.",
        figures=[("curve", fig, "A curve <with> markup")],
        tables=[Table("runs", "Runs by size", ["n", "covered"], [[10, 0.9], [100, 0.95]])],
        settings={"level": "tiny", "seed": 0},
        warnings=["one chain diverged"],
    )
    parsed = html_page.parse(result._repr_html_())
    runs = html_page.table_with(parsed, "Runs by size")
    assert runs["rows"] == [["n", "covered"], ["10", "0.9"], ["100", "0.95"]]
    assert dict(html_page.table_with(parsed, "Key numbers")["rows"][1:])["level"] == "tiny"
    assert parsed.images[0]["src"].startswith("data:image/png;base64,")
    assert plt.fignum_exists(fig.number)  # still there for write_study to save
    plt.close(fig)


def test_html_table_escapes_and_formats(html_page):
    parsed = html_page.parse(html_table(["a<b", "x"], [["<i>", 1.234567891], [None, True]]))
    assert parsed.tables[0]["rows"] == [["a<b", "x"], ["<i>", "1.235"], ["-", "yes"]]
