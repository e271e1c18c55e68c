"""Models of the grid app."""
