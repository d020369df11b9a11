"""The command line: click commands that parse, call one service function and render.

Nothing here imports pygit2 or httpx; services are imported inside the commands so that
`gitbench --help` starts without loading them.
"""
