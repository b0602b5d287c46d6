"""The fruit pictures: deterministic, balanced, learnable from the shape but not from one pixel;
and write_csv: the format, the precision and the atomic replace."""

import os
import stat

import numpy as np
import pytest
from helpers import ROOT

from pencilnet.core.errors import InputError
from pencilnet.core.model import Layer, Model
from pencilnet.core.stages import forward
from pencilnet.io import fruit
from pencilnet.io.csv_data import load_csv
from pencilnet.training.loop import Schedule, train


@pytest.fixture(scope="module")
def train_test():
    """The shipped data's recipe: 1000 training pictures from seed 1, 300 test pictures from seed 2."""
    (x_train, l_train), (x_test, l_test) = fruit.generate(1000, 1), fruit.generate(300, 2)
    return x_train, classes_of(l_train), x_test, classes_of(l_test)


def as_written(images: np.ndarray) -> np.ndarray:
    """The values write_csv puts in the file: Python's round to 4 places, value by value."""
    return np.array([[round(float(v), fruit.DECIMALS) for v in row] for row in images])


def classes_of(labels: list[str]) -> np.ndarray:
    return np.array([fruit.CLASSES.index(label) for label in labels])


def test_same_seed_same_pictures_other_seed_other_pictures():
    images, labels = fruit.generate(50, 7)
    again, labels_again = fruit.generate(50, 7)
    assert np.array_equal(images, again) and labels == labels_again
    other, other_labels = fruit.generate(50, 8)
    assert not np.allclose(images, other) and labels != other_labels


def test_shape_range_and_balance():
    for count in (2, 3, 101, 300):
        images, labels = fruit.generate(count, 0)
        assert images.shape == (count, 36) and images.dtype == np.float64
        assert images.min() >= 0.0 and images.max() <= 1.0
        assert set(labels) == set(fruit.CLASSES)
        assert abs(labels.count("red apple") - labels.count("tomato")) <= 1


def test_the_order_is_shuffled_not_alternating():
    _, labels = fruit.generate(100, 1)
    assert labels != [fruit.CLASSES[i % 2] for i in range(100)]
    assert labels != [fruit.CLASSES[1 - i % 2] for i in range(100)]


def test_the_global_random_state_is_neither_used_nor_touched():
    np.random.seed(123)
    before = np.random.get_state()[1].copy()
    first = fruit.generate(20, 5)[0]
    np.random.seed(999)  # a different global state must not change the pictures
    assert np.array_equal(fruit.generate(20, 5)[0], first)
    np.random.seed(123)
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("count", [1, 0, -3, 2.5, True])
def test_too_few_pictures_is_refused(count):
    with pytest.raises(InputError, match="count: expected a whole number of at least 2"):
        fruit.generate(count, 1)


def test_a_negative_seed_is_refused():
    with pytest.raises(InputError, match="seed: expected a whole number of at least 0, found -1"):
        fruit.generate(10, -1)


def test_the_classes_look_different_where_a_person_would_look():
    """On average a tomato is wider (darker at the left and right edges of the middle rows),
    and its star of leaves darkens the top two rows more than an apple's one stem does."""
    images, labels = fruit.generate(600, 3)
    pictures = images.reshape(-1, 6, 6)
    apple = pictures[classes_of(labels) == 0].mean(axis=0)
    tomato = pictures[classes_of(labels) == 1].mean(axis=0)
    edges = (slice(2, 5), [0, 5])
    assert tomato[edges].mean() < apple[edges].mean() - 0.05  # measured: 0.70 and 0.78
    assert tomato[0:2, :].mean() < apple[0:2, :].mean() - 0.01  # measured: 0.755 and 0.781


def test_nearest_class_mean_is_well_above_chance(train_test):
    x_train, y_train, x_test, y_test = train_test
    means = np.stack([x_train[y_train == k].mean(axis=0) for k in (0, 1)])
    distances = ((x_test[:, None, :] - means[None, :, :]) ** 2).sum(axis=2)
    accuracy = (distances.argmin(axis=1) == y_test).mean()
    assert accuracy >= 0.65  # measured: 0.72; chance is 0.5


def best_threshold(x: np.ndarray, y: np.ndarray) -> tuple[float, int, float]:
    """The threshold and direction on one pixel that best separate the classes of (x, y):
    (threshold, sign, accuracy). Logistic regression on one pixel is such a threshold rule,
    so none can do better than this on the data it is fitted to."""
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    # predicting class 1 above position k: class 0 at or below k is right, class 1 above it is right
    zeros_below = np.concatenate([[0], np.cumsum(ys == 0)])
    ones_above = (ys == 1).sum() - np.concatenate([[0], np.cumsum(ys == 1)])
    right = (zeros_below + ones_above) / len(x)
    k = int(np.argmax(np.maximum(right, 1 - right)))
    cut = -np.inf if k == 0 else (xs[k - 1] + xs[k]) / 2 if k < len(xs) else np.inf
    return cut, (1 if right[k] >= 0.5 else -1), max(right[k], 1 - right[k])


def test_no_single_pixel_tells_the_classes_apart(train_test):
    x_train, y_train, x_test, y_test = train_test
    train_accuracies, test_accuracies = [], []
    for pixel in range(36):
        cut, sign, accuracy = best_threshold(x_train[:, pixel], y_train)
        predicted = (x_test[:, pixel] > cut) if sign == 1 else (x_test[:, pixel] <= cut)
        train_accuracies.append(accuracy)
        test_accuracies.append((predicted.astype(int) == y_test).mean())
    assert max(train_accuracies) < 0.85 and max(test_accuracies) < 0.85  # measured: 0.67 at best
    assert max(test_accuracies) > 0.55  # but the pixels do carry some information


def test_a_36_36_2_sigmoid_network_learns_the_shapes(train_test):
    """The article's network, trained online with the article's learning rate by pencilnet's engine."""
    x_train, y_train, x_test, y_test = train_test
    rng = np.random.default_rng(0)
    model = Model((Layer(rng.uniform(-0.5, 0.5, (36, 36)), rng.uniform(-0.5, 0.5, 36), "sigmoid"),
                   Layer(rng.uniform(-0.5, 0.5, (36, 2)), rng.uniform(-0.5, 0.5, 2), "sigmoid")), 1.0)
    history = train(model, x_train, np.eye(2)[y_train], Schedule(0.5, 15))
    predicted = [int(forward(history.model, x).output.argmax()) for x in x_test]
    assert np.mean(np.array(predicted) == y_test) >= 0.95  # measured: 0.987


# ---- write_csv -------------------------------------------------------------------------------


def test_csv_header_rows_and_precision(tmp_path):
    images, labels = fruit.generate(20, 4)
    path = tmp_path / "fruit.csv"
    fruit.write_csv(path, images, labels)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join([f"p{i}" for i in range(1, 37)] + ["label"])
    assert len(lines) == 21
    first = lines[1].split(",")
    assert first[-1] == labels[0] and len(first) == 37
    assert all(len(v.split(".")[1]) <= 4 for v in first[:-1])
    assert float(first[0]) == round(images[0, 0], 4)


def test_csv_round_trip_to_the_written_precision(tmp_path):
    images, labels = fruit.generate(200, 6)
    path = tmp_path / "fruit.csv"
    fruit.write_csv(path, images, labels)
    data = load_csv(path)
    assert data.labels == labels and data.classes == fruit.CLASSES
    assert data.feature_names == fruit.column_names(36)
    assert np.abs(data.inputs - images).max() <= 0.5e-4 + 1e-12
    assert np.array_equal(data.inputs, as_written(images))
    assert np.array_equal(data.targets, np.eye(2)[classes_of(labels)])


def test_csv_quotes_labels_that_need_it(tmp_path):
    path = tmp_path / "odd.csv"
    fruit.write_csv(path, np.array([[0.5, -0.00001], [1.0, 0.25]]), ['apple, red', 'say "tomato"'])
    text = path.read_text()
    assert "-0.0" not in text and "0.0," in text
    assert load_csv(path).labels == ['apple, red', 'say "tomato"']


def test_csv_is_replaced_atomically(tmp_path, monkeypatch):
    path = tmp_path / "fruit.csv"
    path.write_text("the old file\n")

    def crash(source, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    images, labels = fruit.generate(10, 1)
    with pytest.raises(InputError, match="fruit.csv: cannot write: No space left on device"):
        fruit.write_csv(path, images, labels)
    assert path.read_text() == "the old file\n"
    assert os.listdir(tmp_path) == ["fruit.csv"]  # no temporary file left behind


def test_csv_interrupted_write_leaves_nothing(tmp_path, monkeypatch):
    def interrupt(descriptor):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    images, labels = fruit.generate(10, 1)
    with pytest.raises(KeyboardInterrupt):
        fruit.write_csv(tmp_path / "fruit.csv", images, labels)
    assert os.listdir(tmp_path) == []


def test_csv_gets_an_ordinary_file_mode(tmp_path):
    path = tmp_path / "fruit.csv"
    fruit.write_csv(path, *fruit.generate(4, 1))
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_csv_errors(tmp_path):
    with pytest.raises(InputError, match="cannot write: no such directory"):
        fruit.write_csv(tmp_path / "missing" / "fruit.csv", *fruit.generate(4, 1))
    with pytest.raises(InputError, match="expected one row of pixels per label"):
        fruit.write_csv(tmp_path / "fruit.csv", np.zeros((3, 36)), ["tomato"])
    with pytest.raises(InputError, match=r"row 2, column 'p3': expected a finite number, found nan"):
        fruit.write_csv(tmp_path / "fruit.csv", np.array([[0.0] * 3, [0.0, 0.0, np.nan]]), ["a", "b"])
    assert not (tmp_path / "fruit.csv").exists()



# ---- the shipped files -----------------------------------------------------------------------



@pytest.mark.parametrize("name, count, seed", [("fruit-train.csv", 1000, 1), ("fruit-test.csv", 300, 2)])
def test_shipped_files_are_what_data_readme_says(name, count, seed):
    path = ROOT / "data" / name
    assert path.stat().st_size < 300_000
    data = load_csv(path, fruit.CLASSES)
    assert data.inputs.shape == (count, 36) and data.labels.count("tomato") == count // 2
    images, labels = fruit.generate(count, seed)
    assert data.labels == labels and np.array_equal(data.inputs, as_written(images)), (
        f"data/{name} no longer matches the generator: remake it with the command in data/README.md")


def test_many_pictures_are_drawn_in_blocks_of_bounded_memory(monkeypatch):
    import tracemalloc

    # The oracle: the same pictures drawn all at once, as before the blocks.
    monkeypatch.setattr(fruit, "BLOCK", 10**9)
    whole = fruit.generate(1200, 4)
    monkeypatch.undo()
    tracemalloc.start()
    try:
        blocks = fruit.generate(1200, 4)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(blocks[0], whole[0]) and blocks[1] == whole[1]
    # 1200 pictures at once took several (1200, 48, 48) float64 arrays of 22 MB each: about 100 MB.
    assert peak < 60 * 2**20, peak
