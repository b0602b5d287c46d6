"""Configs' sections as YAML text: the `expected:` block that `pencilnet expect` prints."""


def expected_section(values: dict[str, float], arithmetic, sample: int | None, style) -> str:
    """An `expected:` section holding every quantity in `values` as a published number (quoted:
    YAML would otherwise read 0.10 as 0.1 and lose the printed digits); `sample` None for a
    function's steps, which have none."""
    lines = ["expected:", f"  arithmetic: {arithmetic}", *([f"  sample: {sample}"] if sample is not None else []),
             "  values:"]
    lines += [f'    {name}: "{style.fixed(value)}"' for name, value in values.items()]
    return "\n".join(lines) + "\n"
