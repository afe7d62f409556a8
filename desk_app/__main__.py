"""Allow ``python -m desk_app``."""

from desk_app.app import main

raise SystemExit(main())
