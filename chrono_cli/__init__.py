"""`chrono`: the command line of Chrono Sim. One module (or package) per command, in `commands/`."""
