"""`chrono`: the command line of Chrono Sim. One module per command."""
