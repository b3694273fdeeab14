"""`chrono serve`: its Typer command, its option parsers, and the replay source it builds."""
