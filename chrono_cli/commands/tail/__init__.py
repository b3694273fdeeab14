"""`chrono tail`: its command line (one table, two parsers), its run, its sinks and views."""
