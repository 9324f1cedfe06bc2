"""The ``storm`` command: the one door for scripts, the Procfile and CI."""
