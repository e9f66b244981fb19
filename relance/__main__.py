from relance.cli import main

raise SystemExit(main())
