"""The command line's subcommands, one module per group; :mod:`integrity_signals.cli` parses.

- :mod:`.data`: ``validate``, ``simulate``
- :mod:`.scoring`: ``fit``, ``score``
- :mod:`.inspection`: ``plan``, ``report``
- :mod:`.demo`: ``demo``

Every command takes the parsed arguments and returns the exit code.
"""
