"""One module per simulated tool family; each exposes ``main(tool, argv, state) -> int``."""
