import gc

from scenarios.cli import main

if __name__ == "__main__":  # not when a worker process imports it
    # What is imported by now lives as long as the process: the collector need not walk it
    # again (its full collections took ~0.15 s of a 2 s `make replay`).
    gc.freeze()
    raise SystemExit(main())
