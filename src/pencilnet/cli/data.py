"""`pencilnet data …`: make the fruit pictures, and look at one sample of a dataset.

The commands follow cli.py: a thin function each, the tool's own errors as one line on
stderr with their exit code.
"""

from typing import Annotated

import typer

from pencilnet.cli.shared import Force, check_output, display, failures, wrote
from pencilnet.core.errors import InputError

PICTURE_BYTES = 36 * 7 + 11  # the longest CSV row of a picture: 36 values of 0.1234 and a label

data_app = typer.Typer(
    help="Datasets: make the 6×6 pictures of red apples and tomatoes, and look at one sample of a "
         "CSV or .npz dataset pixel by pixel.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


@data_app.command()
def fruit(out: Annotated[str, typer.Option("--out", "-o", metavar="FILE", show_default=False,
                                           help="The CSV file to write, in one step.")],
          count: Annotated[int, typer.Option("--count", metavar="N",
                                             help="How many pictures, half of each class.")] = 1000,
          seed: Annotated[int, typer.Option("--seed", metavar="N",
                                            help="The random seed: the same seed, the same pictures.")] = 1,
          force: Force = False):
    """Write made-up 6×6 grayscale pictures of red apples and tomatoes as CSV (p1,…,p36,label)."""
    with failures():
        from pencilnet.io.csv_data import MAX_TEXT_BYTES
        from pencilnet.io.files import size_text
        from pencilnet.io.fruit import CLASSES, generate, write_csv

        most = MAX_TEXT_BYTES // PICTURE_BYTES
        if not 2 <= count <= most:
            raise InputError(f"--count: expected a whole number from 2 (one picture of each class) to {most:,} "
                             f"(the pictures a {size_text(MAX_TEXT_BYTES)} data file holds), found {count}")
        if seed < 0:
            raise InputError(f"--seed: expected a whole number of at least 0, found {seed}")
        check_output(out, "pictures", force)
        images, labels = generate(count, seed)
        write_csv(out, images, labels)
        made = ", ".join(f"{labels.count(name)} {name}" for name in CLASSES)
        wrote(out, f"{count} pictures ({made}), seed {seed}")


@data_app.command()
def show(file: Annotated[str, typer.Argument(metavar="FILE", show_default=False,
                                             help="A dataset: a .csv file with a header line, or a .npz archive.")],
         sample: Annotated[int, typer.Option("--sample", metavar="K",
                                             help="Which sample to show, counted from 1.")] = 1,
         out: Annotated[str | None, typer.Option(
             "--out", "-o", metavar="FILE", show_default=False,
             help="Draw a grid of pictures, from --sample on, to an .svg or .png instead (needs matplotlib).")] = None,
         count: Annotated[int, typer.Option("--count", min=1, metavar="N",
                                            help="How many pictures the grid holds (at most 582).")] = 24,
         force: Force = False):
    """Show one sample: its picture, its input values x1, x2, … and its label; or draw a grid of
    samples with their labels to a picture file."""
    with failures():
        from pencilnet.io.data_files import load as load_dataset
        from pencilnet.views import data as render_data

        if out is not None and count > render_data.GRID_MOST:
            raise InputError(f"--count: expected at most {render_data.GRID_MOST} pictures in one grid (each takes "
                             f"{render_data.GRID_PICTURE_BYTES:,} bytes of the picture's raster), found {count:,}")
        check_output(out, "picture", force)
        # Only the rows shown are read; a sample number out of range reads them all, to say how many there are.
        dataset = load_dataset(file, stop=sample - 1 + (count if out is not None else 1) if sample >= 1 else None)
        inputs, _ = dataset.sample(sample)  # checks that the sample number is in range
        if out is None:
            return display(render_data.image(inputs, _label(dataset, sample - 1), sample, dataset.feature_names))
        from pencilnet.io.files import write_atomic
        from pencilnet.views.pictures import kind_of

        chosen = range(sample - 1, min(sample - 1 + count, len(dataset)))
        write_atomic(out, render_data.samples_picture(dataset.inputs[chosen.start:chosen.stop],
                                                      [_label(dataset, i) for i in chosen], kind_of(out),
                                                      first=sample, source=out))
        wrote(out)


def _label(dataset, index: int) -> str:
    """The sample's label; without one, the class its one-hot target names, else the target itself."""
    if dataset.labels is not None:
        return dataset.labels[index]
    target = dataset.targets[index]
    if set(target.tolist()) <= {0.0, 1.0} and target.sum() == 1:
        return dataset.classes[int(target.argmax())]
    return "target [" + ", ".join(f"{v:g}" for v in target) + "]"
