import sys

from runner.execute import main

sys.exit(main())
