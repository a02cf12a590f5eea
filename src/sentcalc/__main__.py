"""`python -m sentcalc` runs the command line."""

from .cli import main

main()
