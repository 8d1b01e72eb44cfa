"""Subcommands of the ``partnersim`` command line, one module each."""
