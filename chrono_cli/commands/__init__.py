"""The `chrono` commands: one module, or one package, per command."""
