"""Versioned prompt files, installed as the ``pmdraft.prompts`` package (see setup.py)."""
