"""The own-data example (docs/own-data.md), run as written: scikit-learn's breast-cancer data as a CSV, the
config from that page, `train --save`, and `predict` on raw rows without labels. The numbers the
page prints are the ones checked here, so it cannot go stale."""

import json
import re

import pytest
from helpers import ROOT

SECTION = (ROOT / "docs" / "own-data.md").read_text(encoding="utf-8")


def block(language: str, first_line: str = "") -> str:
    found = re.search(rf"```{language}\n({re.escape(first_line)}.*?)```", SECTION, re.S)
    assert found, f"docs/own-data.md has no {language} block starting {first_line!r}"
    return found.group(1)


@pytest.mark.thorough  # scikit-learn takes two seconds to import: in CI, with the other slow variants
def test_the_readme_own_data_example(tmp_path, monkeypatch, cli):
    pytest.importorskip("sklearn")  # here, not at the top: every worker collects this file
    monkeypatch.chdir(tmp_path)
    exec(block("python"), {})  # writes cancer.csv and new.csv
    (tmp_path / "cancer.yaml").write_text(block("yaml", "# cancer.yaml"), encoding="utf-8")

    result = cli("train", "cancer.yaml", "--json", "--save", "trained.yaml")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    counts = data["confusion"]["counts"]
    right, total = counts[0][0] + counts[1][1], sum(map(sum, counts))
    printed = re.search(r"Test set: (\d+) of (\d+) right, accuracy ([\d.]+)%", SECTION)
    assert (int(printed.group(1)), int(printed.group(2))) == (right, total)
    assert float(printed.group(3)) == round(100 * right / total, 1)
    rows = re.findall(r"^ (malignant|benign) +(\d+) +(\d+)$", SECTION, re.M)
    assert [[int(a), int(b)] for _, a, b in rows] == counts

    result = cli("predict", "trained.yaml", "--data", "new.csv", "--json", "--out", "predicted.csv")
    assert result.exit_code == 0, result.output
    predicted = [p["class"] for p in json.loads(result.stdout)["predictions"]]
    # The five held-back rows are scikit-learn's last five samples: what the page says they were.
    from sklearn.datasets import load_breast_cancer

    cancer = load_breast_cancer()
    truth = [str(cancer.target_names[k]) for k in cancer.target[-5:]]
    said = re.search(r"Those five were (.*?)\.", SECTION.replace("\n", " ")).group(1)
    assert re.split(r", | and ", said) == truth
    assert predicted == truth
    lines = (tmp_path / "predicted.csv").read_text().splitlines()
    assert lines[0] == "sample,class,y1" and [line.split(",")[1] for line in lines[1:]] == predicted
    for number, kind in re.findall(r"^ +(\d) +(malignant|benign) +[\d.]+$", SECTION, re.M):
        assert predicted[int(number) - 1] == kind
