"""Models of the hall app."""
