"""Allow `python -m pagetrail`."""

from pagetrail.cli.app import main

main()
