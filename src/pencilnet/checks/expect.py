"""What `expect` records as published values for `verify`: every quantity of one step on a sample,
and on request the errors of N epochs of training or every parameter and state after N steps."""

from pencilnet.checks import quantities


def published_values(config, arithmetic, sample: int, epochs: int | None = None,
                     steps: int | None = None) -> dict[str, float]:
    values = quantities.of_walk(config.walk(sample, arithmetic))
    if epochs:  # the errors of training: of each epoch, and after the last
        values.update(quantities.after_epochs(config, arithmetic, epochs, sample))
        values = {k: v for k, v in values.items() if "_after_" not in k or k.startswith("error_after_")}
    if steps:  # every parameter and optimizer state after the last step only
        values.update({k: v for k, v in quantities.after_steps(config, arithmetic, steps, sample).items()
                       if k.endswith(f"_after_{steps}_steps")})
    return values
