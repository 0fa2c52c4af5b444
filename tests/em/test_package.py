"""The shape of the package: the lazy facade, its TYPE_CHECKING mirror, and the layout rules."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import tokenize
from pathlib import Path

import em

EM = Path(em.__file__).parent
COVARIANCE_NAMES = {"full", "tied", "diag", "spherical"}


def _type_checking_imports() -> dict[str, str]:
    """Name -> module (relative to em) imported under ``if TYPE_CHECKING:`` in em/__init__."""
    tree = ast.parse((EM / "__init__.py").read_text())
    block = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    return {
        alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_type_checking_block_mirrors_the_lazy_names():
    assert _type_checking_imports() == em._LAZY
    eager = {"BaseEstimator", "NotFittedError", "InferenceTable", "ParameterRow"}
    eager |= {name for name in dir(em.exceptions) if name.endswith("Warning")} - {"UserWarning"}
    assert sorted(em.__all__) == sorted(eager | set(em._LAZY))


def test_every_public_name_resolves_lazily():
    code = (
        "import sys, em\n"
        "assert not [m for m in sys.modules if m.startswith(('em.mixture', 'em.mle'))]\n"
        "for name in em.__all__:\n"
        "    assert getattr(em, name) is not None, name\n"
        "assert 'em.mixture.gaussian' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=EM.parent)


def test_no_function_local_import_of_em_modules():
    # A relative import inside a function would hide an import cycle of the package.
    hidden = []
    for path in EM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [
                    f"{path.relative_to(EM)}:{inner.lineno}"
                    for inner in ast.walk(node)
                    if isinstance(inner, ast.ImportFrom) and inner.level > 0
                ]
    assert hidden == []


def _covariance_literals(path: Path) -> list[int]:
    """Lines of code (not docstrings or messages) with a covariance type name as a literal,
    except as the default value of a ``covariance_type`` parameter."""
    source = path.read_text()
    defaults = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            arguments = node.args.args + node.args.kwonlyargs
            values = [None] * (len(node.args.args) - len(node.args.defaults))
            values += node.args.defaults + node.args.kw_defaults
            defaults |= {
                value.lineno
                for arg, value in zip(arguments, values, strict=True)
                if arg.arg == "covariance_type" and value is not None
            }
    return [
        token.start[0]
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.STRING
        and token.string.strip("'\"") in COVARIANCE_NAMES
        and token.start[0] not in defaults
    ]


def test_covariance_types_are_named_only_in_their_module():
    found = {
        str(path.relative_to(EM)): lines
        for path in EM.rglob("*.py")
        if path.name != "_covariance.py" and (lines := _covariance_literals(path))
    }
    assert found == {}
    # ... where every type is named exactly once, by its object.
    assert len(_covariance_literals(EM / "mixture" / "_covariance.py")) == 4
