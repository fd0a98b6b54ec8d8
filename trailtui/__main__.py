from trailtui.cli import main

raise SystemExit(main())
