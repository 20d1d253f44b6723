from certsim.cli import main

raise SystemExit(main())
