"""The package's version: here, so that modules inside `chrono_sim` never import its root."""

__version__ = "0.1.0"
