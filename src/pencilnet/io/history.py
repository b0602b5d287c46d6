"""A training run's history as `train --json` wrote it: its errors by epoch, the epochs they
belong to (a long run keeps an evenly spread sample of them, `error_epochs`), and the test set's
error and accuracy."""

import json
import math
from dataclasses import dataclass

from pencilnet.core.errors import InputError

MAX_HISTORY_BYTES = 64 * 2**20  # `train --json` writes about 20 bytes an epoch: millions of epochs
MAX_ERROR = 1e300  # an error beyond this is divergence; a plot's scale (the largest less the smallest) stays finite


@dataclass(frozen=True)
class ReadHistory:
    errors: list[float]
    epochs: list[int]  # the epoch of each error, from 1: every epoch, or a long run's sample of them
    accuracy: list[float] | None  # the test accuracy of each of those epochs, when the run had test data
    test_errors: list[float] | None = None  # the test set's error of each of those epochs, likewise


def read_history(source: str) -> ReadHistory:
    """The errors, their epochs and the test accuracy if there is one, of a `train --json`
    output; every problem is one InputError naming the file and what was expected."""
    from pencilnet.io.files import read_text

    text = read_text(source, "JSON file", MAX_HISTORY_BYTES)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{source}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{source}: invalid JSON: nested too deeply to read") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise InputError(f"{source}: invalid JSON: an integer too long to read") from None
    if not isinstance(data, dict) or "errors" not in data:
        raise InputError(f"{source}: expected the output of `pencilnet train --json`, an object with a list 'errors'")
    errors = _numbers(data["errors"], source, "errors", MAX_ERROR)
    if not any(math.isfinite(e) for e in errors):
        raise InputError(f"{source}: errors: expected at least one number, found none")
    accuracy, tested = (_per_epoch(data, key, len(errors), source, largest)
                        for key, largest in (("test_accuracies", 1.0), ("test_errors", MAX_ERROR)))
    return ReadHistory(errors, _epochs(data.get("error_epochs"), len(errors), source), accuracy, tested)


def _per_epoch(data: dict, key: str, count: int, source: str, largest: float) -> list[float] | None:
    """The optional list `key`: one number per error, each at most `largest`."""
    if data.get(key) is None:
        return None
    values = _numbers(data[key], source, key, largest)
    if len(values) != count:
        raise InputError(f"{source}: {key}: expected one value per epoch ({count}), found {len(values)}")
    return values


def _epochs(value, count: int, source: str) -> list[int]:
    """`error_epochs`, which `train --json` writes when it kept a sample of a long run's epochs:
    one increasing epoch number from 1 per error; without it, every epoch from 1."""
    if value is None:
        return list(range(1, count + 1))
    if not isinstance(value, list) or len(value) != count:
        raise InputError(f"{source}: error_epochs: expected a list of one epoch per error ({count}), found "
                         + (f"{len(value)}" if isinstance(value, list) else json.dumps(value)[:40]))
    for i, item in enumerate(value):
        if not isinstance(item, int) or isinstance(item, bool) or item < 1 or (i and item <= value[i - 1]):
            found = json.dumps(item)[:40] if not isinstance(item, int) or item < 10**40 else "a longer integer"
            raise InputError(f"{source}: error_epochs[{i}]: expected a whole number from 1, greater than the one "
                             f"before, found {found}")
    return value


def _numbers(value, source: str, field: str, most: float) -> list[float]:
    """A list of numbers from 0 to `most`; null (how `--json` writes a value that is not finite)
    is kept as a gap."""
    if not isinstance(value, list) or not value:
        raise InputError(f"{source}: {field}: expected a non-empty list of numbers")
    numbers = []
    for i, item in enumerate(value):
        if item is None:
            numbers.append(math.nan)
        elif isinstance(item, (int, float)) and not isinstance(item, bool) and 0 <= item <= most:
            numbers.append(float(item))
        else:
            found = json.dumps(item)[:40] if not isinstance(item, int) or item < 10**40 else "a longer integer"
            raise InputError(f"{source}: {field}[{i}]: expected a number from 0 to {most:g} (or null), found {found}")
    return numbers
