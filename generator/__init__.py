"""Generator: load, validate, model, render and build the nenguide site."""
