"""Stage 0, primitives: errors, index conventions, precision and balls, limits, the spec and its files.

Nothing here imports a later stage; every later stage may import from here.
"""
