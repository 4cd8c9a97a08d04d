"""Console door: the whole crisis workflow in a terminal, with no chat account."""
