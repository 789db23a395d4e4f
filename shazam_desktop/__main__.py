from shazam_desktop.cli import main

raise SystemExit(main())
