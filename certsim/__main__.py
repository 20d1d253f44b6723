import gc

from certsim.cli import main

if __name__ == "__main__":  # not when a worker process imports it
    gc.freeze()  # as `python -m scenarios` does: what is imported by now is never garbage
    raise SystemExit(main())
