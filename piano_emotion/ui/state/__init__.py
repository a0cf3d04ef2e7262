"""Reflex state classes (thin: they call the domain layer)."""
