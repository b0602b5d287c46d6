"""In a notebook the records show themselves (views/notebook.py): a walk as the worked document of
`pencilnet publish`, a training history as its error curve, a verify report, a config's summary.
IPython's own display formatter is the oracle of what Jupyter shows; plain Python keeps its reprs."""

import os
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

import pencilnet
from pencilnet.checks.verify import verify
from pencilnet.views import notebook

formatters = pytest.importorskip("IPython.core.formatters")


def shown(record) -> dict:
    """What a shell that loaded the extension shows of `record`: its MIME bundle."""
    shell = SimpleNamespace(display_formatter=formatters.DisplayFormatter())
    pencilnet.load_ipython_extension(shell)
    data, _ = shell.display_formatter.format(record)
    return data


def test_a_walk_shows_the_worked_document_with_its_mathml_and_pictures(article):
    walk = article.walk(1)
    data = shown(walk)
    html, markdown = data["text/html"], data["text/markdown"]
    # out_y1 = 1 / (1 + e^-net_y1), net_y1 = 0.05·0.7020 + 0.33·0.5841 + 0.15 ≈ 0.3778: the article's 0.5934;
    # E_total = ½(0 − 0.5934)² + ½(1 − 0.7353)² ≈ 0.2111.
    for text in (html, markdown):
        assert "0.5934" in text and "0.2111" in text
    assert "<math" in html and html.count("<svg") == 3  # the forward, backprop and update pictures
    assert "$$" in markdown and "<svg" not in markdown
    assert data["text/plain"].startswith("Walk(")  # the dataclass repr stays for plain front ends
    # shown twice on one page, the pictures share no ids (their clip paths would mix)
    ids = [set(re.findall(r'id="([^"]+)"', text)) for text in (html, notebook.walk_html(walk))]
    assert ids[0] and not ids[0] & ids[1]


def test_a_training_history_shows_its_error_curve():
    history = pencilnet.load(None, ["training.epochs=30"]).train()
    data = shown(history)
    assert data["text/html"].count("<svg") == 1 and "Epochs run: 30" in data["text/html"]
    # The first epoch's error is the article's E_total before its update (0.2111, exact: 0.211066).
    assert "| 1 | 0.211066 |" in data["text/markdown"]
    assert "| 30 |" in data["text/markdown"]


def test_a_verify_report_lists_each_published_number(article):
    report = pencilnet.verify(article)
    assert [v.name for v in report] == [v.name for v in verify(article)] and report.passed
    data = shown(report)
    assert "all hold" in data["text/html"] and "| out\\_y1 | 0.5934 |" in data["text/markdown"]
    assert report[0].name == "net_h1" and len(report) == len(article.expected.entries) + sum(
        e.corrected is not None for e in article.expected.entries)


def test_a_failing_report_says_how_many_differ():
    # Half the article's learning rate: its new weights are no longer the published ones (w6_new 0.4181),
    # its forward pass (out_y1 0.5934) still is.
    report = pencilnet.verify(pencilnet.load(None, ["training.learning_rate=0.25"]))
    data = shown(report)
    differ = [v.name for v in report if not v.passed]
    assert "w6_new" in differ and "out_y1" not in differ
    assert f"{len(differ)} differ." in data["text/markdown"] and "| w6\\_new | 0.4181 |" in data["text/markdown"]
    assert "✗ differs" in data["text/html"]


def test_a_config_shows_its_summary(article):
    data = shown(article)
    assert "2-2-2, 12 parameters" in data["text/markdown"] and "<table>" in data["text/html"]
    assert "| h1, h2 | sigmoid | 4 | 2 |" in data["text/markdown"]


def run(code: str, **env) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_plain_python_imports_nothing_for_notebooks():
    out = run("import sys, pencilnet; walk = pencilnet.load().walk(1); print(repr(walk)[:5]); "
              "print('IPython' in sys.modules, 'pencilnet.views.notebook' in sys.modules)")
    assert out.split() == ["Walk(", "False", "False"]


def test_importing_pencilnet_inside_ipython_registers_the_displays(tmp_path):
    code = ("from IPython.core.interactiveshell import InteractiveShell; shell = InteractiveShell.instance(); "
            "import pencilnet; data, _ = shell.display_formatter.format(pencilnet.load()); "
            "print(sorted(data))")
    out = run(code, IPYTHONDIR=str(tmp_path))
    assert out.strip() == "['text/html', 'text/markdown', 'text/plain']"


def test_a_walk_of_a_network_too_large_to_draw_says_why_it_has_no_pictures(article, monkeypatch):
    monkeypatch.setattr(notebook, "DRAWN_EDGES", 7)  # the article's network has 8 edges (w1 … w8)
    html = notebook.walk_html(article.walk(1))
    assert "<svg" not in html and "its 8 edges are more than the 7 a picture shows" in html
