"""`manage.py generate_data`: fictional data at clinic-network scale; the generator lives in
bench/generate/ (its package docstring says what it builds and how)."""

from bench.generate import Command

__all__ = ["Command"]
