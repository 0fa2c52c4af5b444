import io
import re

import pytest

from compare.progress import JobReport, Progress, report_step, step_reporter


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def case_report(label, seconds, compile_s, sample_s, **kw):
    return JobReport(
        label,
        seconds,
        detail=f"compile {compile_s:.1f} s, sampling {sample_s:.1f} s",
        timings={"compile": compile_s, "sample": sample_s, "EM": 0.5},
        **kw,
    )


def test_lines_come_in_job_order_whatever_finishes_first():
    out = io.StringIO()
    progress = Progress(["lecture-1d", "lecture-2d", "families"], stream=out)
    assert progress.mode == "lines"  # not a terminal
    for i in range(3):
        progress.start(i)
    progress.finish(2, case_report("families", 3.0, 2.0, 0.5))
    progress.finish(1, case_report("lecture-2d", 54.6, 48.6, 2.0))
    assert out.getvalue() == ""  # job 0 still running: nothing out of order
    progress.finish(0, case_report("lecture-1d", 10.0, 8.0, 1.0, status="WARNING: not converged"))
    assert out.getvalue().splitlines() == [
        "[1/3] lecture-1d ... 10.0 s (compile 8.0 s, sampling 1.0 s) WARNING: not converged",
        "[2/3] lecture-2d ... 54.6 s (compile 48.6 s, sampling 2.0 s) ok",
        "[3/3] families ... 3.0 s (compile 2.0 s, sampling 0.5 s) ok",
    ]


def test_summary_says_where_the_time_went():
    out = io.StringIO()
    with Progress(["a", "b", "c", "d"], stream=out, workers=2) as progress:
        progress.finish(0, case_report("a", 10.0, 8.0, 1.0))
        progress.finish(1, case_report("b", 5.0, 3.0, 1.5))
        progress.finish(2, JobReport("c", 0.2, "cached", cached=True, saved=40.0))
        progress.finish(3, JobReport("d", 1.0, status="FAILED: ValueError: x", ok=False))
    summary = out.getvalue().split("\n", 4)[4]
    assert "done: 4 of 4 job(s)" in summary and "16.2 s of job time, 2 worker(s)" in summary
    # Steps in the fixed order, summed over the jobs.
    assert "time by step (summed over jobs): EM 1.0 s, compile 11.0 s, sample 2.5 s" in summary
    assert "cache hits: 1 of 4 job(s), read in 0.2 s (their first runs took 40.0 s)" in summary
    assert "failed: d" in summary


def test_estimate_of_what_is_left():
    progress = Progress(["a", "b", "c"], estimates=[30.0, None, 0.1], stream=io.StringIO())
    assert progress.remaining() is None  # b has no estimate and nothing has finished
    progress.finish(0, JobReport("a", 20.0))
    # b counts as the mean of the finished (20 s), c as its estimate.
    assert progress.remaining() == pytest.approx(20.1)
    progress.finish(2, JobReport("c", 0.1, cached=True))
    assert progress.remaining() == pytest.approx(20.0)  # cache hits do not lower the mean
    two = Progress(["a", "b"], estimates=[10.0, 10.0], workers=2, stream=io.StringIO())
    assert two.remaining() == pytest.approx(10.0)


def test_bar_renders_on_a_terminal():
    out = FakeTTY()
    progress = Progress(["lecture-1d", "study coverage (quick)"], stream=out, estimates=[5, 9])
    assert progress.mode == "bar"
    progress.start(0)
    progress.step(0, "compile")
    progress.start(1)
    progress.step(1, "sample")
    progress._bar.refresh()
    live = out.getvalue()
    assert "lecture-1d: compile | study coverage (quick): sample" in live
    assert "0/2" in live and "left: ~" in live
    progress.finish(1, JobReport("study coverage (quick)", 9.0, "3 compilations"))
    progress.finish(0, JobReport("lecture-1d", 5.0))
    summary = progress.close()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert "[1/2] lecture-1d ... 5.0 s ok" in text
    assert "[2/2] study coverage (quick) ... 9.0 s (3 compilations) ok" in text
    assert text.rstrip().endswith(summary.splitlines()[-1])


def test_report_step_goes_to_the_reporter_only_inside_the_block():
    seen = []
    report_step("EM")  # no runner: nothing happens
    with step_reporter(seen.append):
        report_step("compile")
        report_step("sample")
    report_step("figures")
    assert seen == ["compile", "sample"]
    with pytest.raises(ValueError, match="step must be a non-empty string"):
        report_step("")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"estimates": [1.0]}, "estimates must have one entry per label"),
        ({"workers": 0}, "workers must be an integer >= 1"),
        ({"mode": "fancy"}, "mode must be one of auto, bar, lines"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Progress(["a", "b"], stream=io.StringIO(), **kwargs)


def test_bad_events():
    progress = Progress(["a"], stream=io.StringIO())
    with pytest.raises(ValueError, match=r"index must be a job number in \[0, 1\)"):
        progress.start(1)
    with pytest.raises(TypeError, match="report must be a JobReport"):
        progress.finish(0, "done")
    progress.finish(0, JobReport("a", 1.0))
    with pytest.raises(ValueError, match="has already finished"):
        progress.finish(0, JobReport("a", 1.0))
