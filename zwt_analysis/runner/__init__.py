"""``zwt report``: the papermill runner (entry point :func:`zwt_analysis.runner.main.main`)."""
