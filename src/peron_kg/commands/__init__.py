"""One module a verb. Each keeps its heavy imports inside the command function."""
