"""A simulated SmartOS global zone: the real tools' arguments, output and exit codes."""
