import sys

from storm.cli import main

sys.exit(main())
