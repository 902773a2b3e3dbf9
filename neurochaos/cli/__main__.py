import sys

from . import main

if __name__ == "__main__":  # importing this module (the docs build does) runs nothing
    sys.exit(main())
