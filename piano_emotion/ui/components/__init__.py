"""Small reusable pieces of UI."""
