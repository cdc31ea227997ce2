"""Every `dg` command the designer runs: how it is started (`commands`), in warm forks (`forks`), many in
one process (`batch`), and what its output means (`output`)."""
