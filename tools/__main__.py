"""`python -m tools` is the `rover` command, for machines where the script is not on PATH."""

from tools.cli import main

raise SystemExit(main())
