from vibesite.cli import main

raise SystemExit(main())
