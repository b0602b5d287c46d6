"""The pre-commit hook's entry point (`python -m pencilnet.cli.hook [VERIFY OPTIONS] FILE...`):
`verify` on the changed YAML files that publish numbers (an `expected:` section), with one exit
code for the lot; the others are passed over, so that a commit of any other YAML file goes through."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from pencilnet.io.published import split_published

    args = list(sys.argv[1:] if argv is None else argv)
    # pre-commit puts the hook's `args:` first and the changed files last: the files are the
    # trailing arguments that name YAML files which exist.
    cut = len(args)
    while cut > 0 and args[cut - 1].endswith((".yaml", ".yml")) and os.path.isfile(args[cut - 1]):
        cut -= 1
    options, files = args[:cut], args[cut:]
    kept, skipped = split_published(files)
    if skipped:
        print(f"pencilnet: {len(skipped)} YAML file(s) without an expected: section passed over", file=sys.stderr)
    if not kept:
        raise SystemExit(0)
    from pencilnet.cli import main as pencilnet

    sys.argv = ["pencilnet", "verify", *options, *kept]
    pencilnet()


if __name__ == "__main__":
    main()
