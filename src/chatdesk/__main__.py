"""``python -m chatdesk`` opens the app."""

from chatdesk.app import main

raise SystemExit(main())
