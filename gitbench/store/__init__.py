"""The only code that talks to pygit2: refs with compare-and-swap, objects, trees, notes,
the working tree. Everything above it deals in hex object ids and plain data."""
