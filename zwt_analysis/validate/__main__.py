"""``python -m zwt_analysis.validate`` (see :mod:`zwt_analysis.validate`)."""

from zwt_analysis.validate import main

raise SystemExit(main())
